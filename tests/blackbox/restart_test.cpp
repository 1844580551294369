// The server stopped under load: SIGKILL while executions sit in delay
// nodes, then a restart on the same data dir resumes each of them to a
// terminal status with a complete, contiguous log, and an SSE client that
// lost its connection resumes from its last id. SIGTERM exits 0 and loses
// nothing.
#include "runtime/json_text.hpp"
#include "server_process.hpp"
#include "sse_reader.hpp"
#include "test_flows.hpp"

#include <gtest/gtest.h>

#include <future>
#include <numeric>

namespace baley::testing {
namespace {
namespace json = boost::json;
using namespace std::chrono_literals;

class restart : public server_test {
protected:
  restart() : server_test({}) {}  // default durability: fsync

  // The replay of `id` is a whole execution: indexes 0..n-1, one start
  // first, one terminal event last, the nodes before the kill not run again.
  void expect_complete_log(const std::string& id) const {
    auto events = api_.replay(id);
    ASSERT_FALSE(events.empty());
    std::map<std::string, int> starts;
    int terminal = 0;
    for (std::size_t i = 0; i < events.size(); ++i) {
      EXPECT_EQ(events[i].at("index"), i);
      const auto& e = events[i].at("event");
      auto type = string_at(e, "type");
      if (type == "node_start")
        ++starts[string_at(e, "nodeId")];
      if (type == "execution_complete" || type == "execution_error" ||
          type == "execution_cancelled")
        ++terminal;
      if (i == 0) {
        EXPECT_EQ(type, "execution_start");
      }
    }
    EXPECT_EQ(terminal, 1);
    EXPECT_EQ(string_at(events.back().at("event"), "type"), "execution_complete");
    EXPECT_EQ(starts["in"], 1) << "a completed node never runs again";
    EXPECT_EQ(starts["first"], 1) << "a completed node never runs again";
    auto audit = api_.get("/api/executions/" + id + "/audit");
    EXPECT_EQ(audit.status, 200);
    EXPECT_EQ(audit.json().at("valid"), true) << audit.body;
    EXPECT_EQ(audit.json().at("events"), events.size());
  }
};

TEST_F(restart, sigkill_during_delays_then_every_execution_finishes) {
  auto flow = api_.create_flow(delay_flow(2000));
  ASSERT_FALSE(flow.empty());
  std::vector<std::string> ids;
  for (int n = 0; n < 5; ++n)
    ids.push_back(api_.start(flow, "{\"n\":" + std::to_string(n) + "}"));
  for (const auto& id : ids)
    ASSERT_TRUE(api_.wait_node_running(id, "wait")) << json::serialize(api_.execution(id));

  // A client watching one of them when the server dies.
  auto path = "/api/executions/" + ids[0] + "/stream";
  header_list auth = {{"Authorization", "Bearer " + server_.admin_token()}};
  auto before = read_stream(server_.port(), path, auth, 6, 5s);
  ASSERT_EQ(before.indexes.size(), 6u) << "execution_start, in, first, wait started";

  server_.kill();
  ASSERT_TRUE(server_.start()) << server_.diagnostics();
  api_ = server_.admin();

  for (std::size_t n = 0; n < ids.size(); ++n) {
    SCOPED_TRACE("execution " + std::to_string(n));
    auto e = api_.wait_terminal(ids[n], 30s);
    ASSERT_EQ(string_at(e, "status"), "completed") << e;
    auto want = json::object{{"n", (static_cast<int>(n) + 1) * 10}};
    EXPECT_TRUE(runtime::json_equal(e.at("output"), want)) << e.at("output");
    expect_complete_log(ids[n]);
  }

  // The watcher comes back with its last id and gets the rest, once.
  auth.emplace_back("Last-Event-ID", std::to_string(before.indexes.back()));
  auto after = read_stream(server_.port(), path, auth);
  EXPECT_EQ(after.status, 200);
  EXPECT_TRUE(after.done);
  auto all = before.indexes;
  all.insert(all.end(), after.indexes.begin(), after.indexes.end());
  std::vector<std::uint64_t> want(api_.replay(ids[0]).size());
  std::iota(want.begin(), want.end(), 0);
  EXPECT_EQ(all, want);
}

TEST_F(restart, sigterm_exits_0_and_a_restart_resumes_and_keeps_everything) {
  auto flow = api_.create_flow(delay_flow(1500));
  auto done = api_.start(flow, R"({"n":1})");
  api_.wait_terminal(done);
  auto waiting = api_.start(flow, R"({"n":2})");
  ASSERT_TRUE(api_.wait_node_running(waiting, "wait"));
  auto hook = api_.post("/api/flows/" + flow + "/webhook", std::nullopt);
  auto token = api_.post("/api/tokens", R"({"name":"kept"})");

  EXPECT_EQ(server_.stop(), 0) << server_.diagnostics();
  ASSERT_TRUE(server_.start()) << server_.diagnostics();
  api_ = server_.admin();

  EXPECT_EQ(api_.get("/api/flows/" + flow).status, 200);
  EXPECT_EQ(string_at(api_.execution(done), "status"), "completed");
  auto e = api_.wait_terminal(waiting, 30s);
  EXPECT_EQ(string_at(e, "status"), "completed") << e;
  expect_complete_log(waiting);
  expect_complete_log(done);
  EXPECT_EQ(server_.client(string_at(token.json(), "token")).get("/api/flows").status, 200)
    << "tokens survive a restart";
  auto shown = api_.get("/api/flows/" + flow + "/webhook");
  EXPECT_EQ(string_at(shown.json(), "secret"), string_at(hook.json(), "secret"));
  auto trigger = request("POST", server_.url() + "/api/webhooks/" + flow + "/" +
                                   string_at(hook.json(), "secret"),
                         {}, std::string("{}"));
  EXPECT_EQ(trigger.status, 202) << trigger.body;
}

} // namespace
} // namespace baley::testing
