// Limits on user code (DESIGN.md, "Limits on user code"), from outside: an
// endless jq program fails its node with limit_exceeded at data.timeoutMs;
// several of them leave every route answering; cancel stops the CPU they
// burn; memory over --jq-memory-mb fails the node; after a SIGKILL the
// server starts answering at once and the resumed execution can be
// cancelled or fails at its budget (no poison pill); the jq workers die with
// the server.
#include "server_process.hpp"
#include "test_flows.hpp"

#include <gtest/gtest.h>

#include <csignal>
#include <thread>

namespace baley::testing {
namespace {
namespace json = boost::json;
using namespace std::chrono_literals;

// The node `id` of an execution view.
json::object node_of(const json::value& execution, std::string_view id) {
  for (const auto& n : execution.at("nodes").as_array())
    if (string_at(n, "nodeId") == id)
      return n.as_object();
  ADD_FAILURE() << "no node " << id;
  return {};
}

// CPU ticks the server's children used during `window`.
std::uint64_t children_cpu_during(int server, std::chrono::milliseconds window) {
  auto total = [&] {
    std::uint64_t ticks = 0;
    for (auto child : children_of(server))
      ticks += cpu_ticks(child);
    return ticks;
  };
  auto before = total();
  std::this_thread::sleep_for(window);
  auto after = total();
  return after > before ? after - before : 0;
}

class limits_test : public server_test {};

TEST_F(limits_test, an_endless_program_fails_its_node_at_its_time_budget) {
  auto flow = api_.create_flow(jq_flow("def f: f; f", 300));
  ASSERT_FALSE(flow.empty());
  auto id = api_.start(flow);
  auto done = api_.wait_terminal(id);
  EXPECT_EQ(done.at("status"), "failed");
  EXPECT_EQ(done.at("errorCode"), "limit_exceeded");
  EXPECT_EQ(done.at("error"), "the jq evaluation went over its time budget of 300 ms");
  auto node = node_of(done, "f");
  EXPECT_EQ(node.at("status"), "failed");
  EXPECT_EQ(node.at("errorCode"), "limit_exceeded");
  EXPECT_EQ(node.at("attempts"), 1) << "over budget is not retried";
  EXPECT_GE(node.at("durationMs").to_number<std::int64_t>(), 300);
  bool found = false;
  for (const auto& item : api_.replay(id)) {
    const auto& event = item.at("event");
    if (event.at("type") == "node_error") {
      found = true;
      EXPECT_EQ(event.at("code"), "limit_exceeded");
      EXPECT_EQ(event.at("retryable"), false);
    }
  }
  EXPECT_TRUE(found);
}

TEST_F(limits_test, endless_programs_leave_every_route_answering_and_cancel_stops_them) {
  auto flow = api_.create_flow(jq_flow("def f: f; f", 60'000));
  ASSERT_FALSE(flow.empty());
  std::vector<std::string> ids;
  for (int i = 0; i < 3; ++i)  // more than the machine's cores and workers
    ids.push_back(api_.start(flow));
  ASSERT_TRUE(api_.wait_node_running(ids[0], "f"));
  ASSERT_TRUE(api_.wait_node_running(ids[1], "f"));
  for (int i = 0; i < 5; ++i) {
    auto began = std::chrono::steady_clock::now();
    EXPECT_EQ(api_.get("/healthz").status, 200);
    EXPECT_EQ(api_.get("/api/flows").status, 200);
    auto other = api_.start(api_.create_flow(passthrough_flow()));
    EXPECT_FALSE(other.empty());
    EXPECT_LT(std::chrono::steady_clock::now() - began, 2s) << "the server kept answering";
  }
  EXPECT_GT(children_cpu_during(server_.pid(), 300ms), 0u) << "the programs do burn CPU";
  for (const auto& id : ids) {
    auto r = api_.post("/api/executions/" + id + "/cancel", std::nullopt);
    EXPECT_EQ(r.status, 200) << r.body;
  }
  for (const auto& id : ids)
    EXPECT_EQ(api_.wait_terminal(id).at("status"), "cancelled");
  // No CPU keeps burning for a cancelled evaluation.
  bool idle = false;
  for (int i = 0; i < 20 && !idle; ++i)
    idle = children_cpu_during(server_.pid(), 200ms) <= 2;
  EXPECT_TRUE(idle) << "a jq worker still burns CPU after every cancel";
}

TEST(limits, memory_over_the_budget_fails_the_node) {
  server_process server({"--durability", "buffered", "--jq-memory-mb", "64"});
  ASSERT_TRUE(server.start()) << server.diagnostics();
  auto api = server.admin();
  auto id = api.start(api.create_flow(jq_flow("[range(1e9)]")));
  auto done = api.wait_terminal(id);
  EXPECT_EQ(done.at("status"), "failed");
  EXPECT_EQ(done.at("errorCode"), "limit_exceeded");
  EXPECT_EQ(done.at("error"), "the jq evaluation went over its memory budget of 64 MiB");
  // The server and its sandbox go on.
  auto next = api.start(api.create_flow(doubling_flow()), R"({"n":2})");
  EXPECT_EQ(api.wait_terminal(next).at("output"), json::parse(R"({"n":4})"));
}

TEST(limits, after_a_sigkill_an_endless_execution_is_no_poison_pill) {
  server_process server({"--durability", "buffered"});
  ASSERT_TRUE(server.start()) << server.diagnostics();
  auto api = server.admin();
  auto long_flow = api.create_flow(jq_flow("def f: f; f", 60'000));
  auto short_flow = api.create_flow(jq_flow("def f: f; f", 1'000));
  auto held = api.start(long_flow);
  auto failing = api.start(short_flow);
  ASSERT_TRUE(api.wait_node_running(held, "f"));
  ASSERT_TRUE(api.wait_node_running(failing, "f"));
  server.kill();

  ASSERT_TRUE(server.start()) << server.diagnostics();
  api = server.admin();
  auto began = std::chrono::steady_clock::now();
  EXPECT_EQ(api.get("/healthz").status, 200);
  EXPECT_LT(std::chrono::steady_clock::now() - began, 2s);
  // The one with a short budget fails at it instead of looping forever.
  auto failed = api.wait_terminal(failing);
  EXPECT_EQ(failed.at("status"), "failed");
  EXPECT_EQ(failed.at("errorCode"), "limit_exceeded");
  EXPECT_EQ(node_of(failed, "f").at("attempts"), 2) << "resumed once, as a new attempt";
  // The other is resumed and under control.
  ASSERT_TRUE(api.wait_node_running(held, "f"));
  auto cancel = api.post("/api/executions/" + held + "/cancel", std::nullopt);
  EXPECT_EQ(cancel.status, 200) << cancel.body;
  EXPECT_EQ(api.wait_terminal(held).at("status"), "cancelled");
}

TEST(limits, the_jq_workers_die_with_the_server) {
  server_process server({"--durability", "buffered", "--jq-workers", "2"});
  ASSERT_TRUE(server.start()) << server.diagnostics();
  std::vector<int> workers;
  for (int i = 0; i < 500 && workers.size() < 2; ++i) {
    workers = children_of(server.pid());
    std::this_thread::sleep_for(10ms);
  }
  ASSERT_EQ(workers.size(), 2u) << "two jq workers";
  server.kill();
  for (auto pid : workers)
    EXPECT_TRUE(wait_exit(pid, 10s)) << "worker " << pid << " outlived the server";
}

TEST_F(limits_test, a_timeout_out_of_range_is_an_invalid_flow) {
  for (auto bad : {"0", "-5", "1.5", "\"fast\"", "3600001"}) {
    auto flow = jq_flow(".");
    auto at = flow.find(R"("code":".")");
    flow.insert(at, std::string(R"("timeoutMs":)") + bad + ",");
    auto r = api_.post("/api/flows", flow);
    EXPECT_EQ(r.status, 400) << bad;
    auto body = json::parse(r.body);
    EXPECT_EQ(body.at("code"), "invalid_flow");
    EXPECT_EQ(body.at("errors").at(0).at("nodeId"), "f") << bad;
    EXPECT_NE(string_at(body.at("errors").at(0), "message").find("timeoutMs"),
              std::string::npos) << bad;
  }
}

} // namespace
} // namespace baley::testing
