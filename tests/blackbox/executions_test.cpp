// Executions over HTTP (API.md "Executions"): 202 then a terminal GET that is
// readable at once, ?wait, Idempotency-Key, cancel, replay from an index,
// audit, 404 for unknown ids, and the source's inputSchema. Lists are in
// execution_lists_test.cpp.
#include "runtime/json_text.hpp"
#include "server_process.hpp"
#include "sse_client.hpp"
#include "test_flows.hpp"

#include <gtest/gtest.h>

#include <future>
#include <regex>
#include <set>

namespace baley::testing {
namespace {
namespace json = boost::json;
using namespace std::chrono_literals;
using clock_type = std::chrono::steady_clock;

class executions : public server_test {};

constexpr const char* unknown_id = "0190c6a4-3c1e-7000-8000-000000000000";

const json::value* node_row(const json::value& execution, std::string_view node_id) {
  for (const auto& n : execution.at("nodes").as_array())
    if (string_at(n, "nodeId") == node_id)
      return &n;
  return nullptr;
}

TEST_F(executions, execute_answers_202_and_the_execution_reads_complete) {
  auto flow = api_.create_flow(doubling_flow());
  auto r = api_.post("/api/flows/" + flow + "/execute", R"({"input":{"n":3}})");
  ASSERT_EQ(r.status, 202) << r.body;
  auto id = string_at(r.json(), "executionId");
  EXPECT_TRUE(is_uuid_v7(id)) << r.body;
  EXPECT_EQ(string_at(r.json(), "status"), "started");

  auto e = api_.wait_terminal(id);
  ASSERT_TRUE(e.is_object());
  SCOPED_TRACE(json::serialize(e));
  EXPECT_EQ(string_at(e, "id"), id);
  EXPECT_EQ(string_at(e, "flowId"), flow);
  EXPECT_EQ(e.at("flowVersion"), 1);
  EXPECT_EQ(string_at(e, "status"), "completed");
  EXPECT_TRUE(runtime::json_equal(e.at("input"), json::parse(R"({"n":3})")));
  EXPECT_TRUE(runtime::json_equal(e.at("output"), json::parse(R"({"n":6})")));
  EXPECT_TRUE(e.at("error").is_null());
  EXPECT_TRUE(e.as_object().contains("triggeredBy"));
  EXPECT_TRUE(is_rfc3339_ms(string_at(e, "startedAt")));
  EXPECT_TRUE(is_rfc3339_ms(string_at(e, "completedAt")));
  EXPECT_LE(string_at(e, "startedAt"), string_at(e, "completedAt"));
  const auto& metrics = e.at("metrics").as_object();
  EXPECT_TRUE(metrics.at("totalDurationMs").is_number());
  EXPECT_EQ(metrics.at("totalTokens"), 0);
  EXPECT_TRUE(metrics.at("totalCost").is_number());

  ASSERT_EQ(e.at("nodes").as_array().size(), 3u);
  for (const auto& n : e.at("nodes").as_array()) {
    SCOPED_TRACE(json::serialize(n));
    for (auto key : {"nodeId", "blockExecutionId", "status", "attempts", "startedAt",
                     "completedAt", "durationMs", "input", "output", "error"})
      EXPECT_TRUE(n.as_object().contains(key)) << key;
    EXPECT_EQ(string_at(n, "status"), "completed");
    EXPECT_EQ(n.at("attempts"), 1);
    EXPECT_TRUE(is_uuid_v7(string_at(n, "blockExecutionId")));
    EXPECT_TRUE(is_rfc3339_ms(string_at(n, "startedAt")));
    EXPECT_TRUE(is_rfc3339_ms(string_at(n, "completedAt")));
  }
  auto* doubling = node_row(e, "double");
  ASSERT_TRUE(doubling);
  EXPECT_TRUE(runtime::json_equal(doubling->at("input"), json::parse(R"({"n":3})")));
  EXPECT_TRUE(runtime::json_equal(doubling->at("output"), json::parse(R"({"n":6})")));
}

TEST_F(executions, an_execution_is_readable_as_soon_as_execute_answers) {
  // A client that got its 202 reads, streams and replays the execution at
  // once: no 404 in between, also while others start executions.
  auto flow = api_.create_flow(delay_flow(100));
  std::vector<std::future<std::string>> workers;
  for (int w = 0; w < 4; ++w)
    workers.push_back(std::async(std::launch::async, [this, flow] {
      for (int i = 0; i < 15; ++i) {
        auto r = api_.post("/api/flows/" + flow + "/execute", R"({"input":{"n":1}})");
        if (r.status != 202)
          return "execute: " + std::to_string(r.status) + " " + r.body;
        auto id = string_at(r.json(), "executionId");
        sse_stream stream(server_.port(), "/api/executions/" + id + "/stream",
                          {{"Authorization", "Bearer " + server_.admin_token()}});
        if (stream.status() != 200)
          return "stream right after 202: " + std::to_string(stream.status()) + " " +
                 stream.error_body(2s);
        stream.close();
        auto read = api_.get("/api/executions/" + id);
        if (read.status != 200)
          return "GET right after 202: " + std::to_string(read.status) + " " + read.body;
        auto replay = api_.get("/api/executions/" + id + "/replay");
        if (replay.status != 200)
          return "replay right after 202: " + std::to_string(replay.status) + " " + replay.body;
      }
      return std::string();
    }));
  for (auto& w : workers)
    EXPECT_EQ(w.get(), "");
}

TEST_F(executions, wait_answers_200_when_terminal_in_time_else_202) {
  auto quick = api_.create_flow(doubling_flow());
  auto r = api_.post("/api/flows/" + quick + "/execute?wait=5", R"({"input":{"n":5}})");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(string_at(r.json(), "status"), "completed");
  EXPECT_TRUE(runtime::json_equal(r.json().at("output"), json::parse(R"({"n":10})")));
  EXPECT_TRUE(r.json().as_object().contains("nodes")) << "the execution as GET shows it";

  auto slow = api_.create_flow(delay_flow(3000));
  auto started = clock_type::now();
  r = api_.post("/api/flows/" + slow + "/execute?wait=1", R"({"input":{"n":1}})");
  auto took = clock_type::now() - started;
  ASSERT_EQ(r.status, 202) << r.body;
  EXPECT_GE(took, 900ms) << "it waited";
  EXPECT_LT(took, 2500ms) << "but not past the wait";
  auto id = string_at(r.json(), "executionId");
  EXPECT_FALSE(id.empty()) << r.body;
  api_.post("/api/executions/" + id + "/cancel", std::nullopt);
}

TEST_F(executions, no_input_is_an_empty_object) {
  auto flow = api_.create_flow(passthrough_flow());
  for (std::optional<std::string> body : {std::optional<std::string>(), std::optional<std::string>("{}")}) {
    auto r = api_.post("/api/flows/" + flow + "/execute", body);
    ASSERT_EQ(r.status, 202) << (body ? *body : "(no body)") << " " << r.body;
    auto e = api_.wait_terminal(string_at(r.json(), "executionId"));
    EXPECT_EQ(e.at("input"), json::object()) << e;
    EXPECT_EQ(e.at("output"), json::object()) << e;
  }
}

TEST_F(executions, the_same_idempotency_key_starts_nothing_new) {
  auto flow = api_.create_flow(doubling_flow());
  auto path = "/api/flows/" + flow + "/execute";
  auto first = api_.post(path, R"({"input":{"n":1}})", {{"Idempotency-Key", "order-17"}});
  ASSERT_EQ(first.status, 202) << first.body;
  auto id = string_at(first.json(), "executionId");
  api_.wait_terminal(id);
  auto again = api_.post(path, R"({"input":{"n":1}})", {{"Idempotency-Key", "order-17"}});
  EXPECT_TRUE(again.status == 202 || again.status == 200) << again.body;
  EXPECT_EQ(string_at(again.json(), "executionId"), id);
  EXPECT_EQ(api_.list_all("/api/executions?flowId=" + flow).size(), 1u);

  auto other = api_.post(path, R"({"input":{"n":1}})", {{"Idempotency-Key", "order-18"}});
  ASSERT_EQ(other.status, 202) << other.body;
  EXPECT_NE(string_at(other.json(), "executionId"), id);
  api_.wait_terminal(string_at(other.json(), "executionId"));
  EXPECT_EQ(api_.list_all("/api/executions?flowId=" + flow).size(), 2u);

  // Concurrent duplicates too: one execution for eight requests.
  std::vector<std::thread> threads;
  std::vector<std::string> ids(8);
  for (std::size_t i = 0; i < ids.size(); ++i)
    threads.emplace_back([&, i] {
      auto r = api_.post(path, R"({"input":{"n":2}})", {{"Idempotency-Key", "burst"}});
      ids[i] = string_at(r.json(), "executionId");
    });
  for (auto& t : threads)
    t.join();
  EXPECT_EQ(std::set<std::string>(ids.begin(), ids.end()).size(), 1u);
  ASSERT_FALSE(ids[0].empty());
  api_.wait_terminal(ids[0]);
  EXPECT_EQ(api_.list_all("/api/executions?flowId=" + flow).size(), 3u);
}

TEST_F(executions, an_idempotency_key_over_255_characters_is_refused_and_starts_nothing) {
  auto flow = api_.create_flow(doubling_flow());
  auto path = "/api/flows/" + flow + "/execute";
  auto too_long = api_.post(path, R"({"input":{"n":1}})",
                            {{"Idempotency-Key", std::string(256, 'k')}});
  EXPECT_EQ(too_long.status, 400) << too_long.body;
  EXPECT_EQ(string_at(too_long.json(), "code"), "invalid_request") << too_long.body;
  EXPECT_NE(string_at(too_long.json(), "error").find("255"), std::string::npos) << too_long.body;
  EXPECT_TRUE(api_.list_all("/api/executions?flowId=" + flow).empty());

  auto longest = api_.post(path, R"({"input":{"n":1}})",
                           {{"Idempotency-Key", std::string(255, 'k')}});
  ASSERT_EQ(longest.status, 202) << longest.body;
  api_.wait_terminal(string_at(longest.json(), "executionId"));
  EXPECT_EQ(api_.list_all("/api/executions?flowId=" + flow).size(), 1u);
}

TEST_F(executions, cancel_a_running_execution_then_409) {
  auto flow = api_.create_flow(delay_flow(10000));
  auto id = api_.start(flow, R"({"n":1})");
  ASSERT_TRUE(api_.wait_node_running(id, "wait")) << json::serialize(api_.execution(id));
  auto started = clock_type::now();
  auto r = api_.post("/api/executions/" + id + "/cancel", std::nullopt);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(string_at(r.json(), "status"), "cancelled");
  auto e = api_.wait_terminal(id, 5s);
  EXPECT_LT(clock_type::now() - started, 3s) << "the delay was aborted";
  EXPECT_EQ(string_at(e, "status"), "cancelled");
  auto* wait = node_row(e, "wait");
  ASSERT_TRUE(wait);
  EXPECT_NE(string_at(*wait, "status"), "completed");
  EXPECT_NE(string_at(*wait, "status"), "running") << "nothing is left running";
  auto* second = node_row(e, "second");
  EXPECT_TRUE(!second || string_at(*second, "status") != "completed");

  auto events = api_.replay(id);
  ASSERT_FALSE(events.empty());
  EXPECT_EQ(string_at(events.back().at("event"), "type"), "execution_cancelled");

  auto again = api_.post("/api/executions/" + id + "/cancel", std::nullopt);
  EXPECT_EQ(again.status, 409) << again.body;
  EXPECT_EQ(again.code(), "invalid_state");

  auto done = api_.start(api_.create_flow(passthrough_flow()));
  api_.wait_terminal(done);
  auto late = api_.post("/api/executions/" + done + "/cancel", std::nullopt);
  EXPECT_EQ(late.status, 409) << late.body;
  EXPECT_EQ(late.code(), "invalid_state");
  EXPECT_EQ(string_at(api_.execution(done), "status"), "completed");
}

TEST_F(executions, replay_from_an_index_and_audit) {
  auto id = api_.start(api_.create_flow(delay_flow(50)), R"({"n":1})");
  api_.wait_terminal(id);
  auto r = api_.get("/api/executions/" + id + "/replay");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(string_at(r.json(), "status"), "completed");
  auto events = r.json().at("events").as_array();
  ASSERT_EQ(events.size(), 12u) << "5 nodes x (start, complete) + execution start and end";
  for (std::size_t i = 0; i < events.size(); ++i) {
    EXPECT_EQ(events[i].at("index"), i);
    EXPECT_TRUE(is_rfc3339_ms(string_at(events[i].at("event"), "ts"))) << events[i];
  }
  EXPECT_EQ(string_at(events.front().at("event"), "type"), "execution_start");
  EXPECT_EQ(string_at(events.back().at("event"), "type"), "execution_complete");

  auto tail = api_.replay(id, 5);
  ASSERT_EQ(tail.size(), events.size() - 5);
  for (std::size_t i = 0; i < tail.size(); ++i)
    EXPECT_EQ(tail[i], events[i + 5]);
  EXPECT_TRUE(api_.replay(id, events.size()).empty());

  auto audit = api_.get("/api/executions/" + id + "/audit");
  ASSERT_EQ(audit.status, 200) << audit.body;
  EXPECT_EQ(audit.json().at("valid"), true);
  EXPECT_EQ(audit.json().at("events"), events.size());
  EXPECT_TRUE(std::regex_match(string_at(audit.json(), "head"), std::regex("^[0-9a-f]{64}$")))
    << audit.body;
}

TEST_F(executions, unknown_execution_is_404) {
  std::string base = std::string("/api/executions/") + unknown_id;
  for (auto suffix : {"", "/replay", "/audit", "/stream"}) {
    auto r = api_.get(base + suffix);
    EXPECT_EQ(r.status, 404) << suffix << " " << r.body;
    EXPECT_FALSE(r.code().empty()) << r.body;
  }
  EXPECT_EQ(api_.post(base + "/cancel", std::nullopt).status, 404);
  EXPECT_EQ(api_.get("/api/executions/not-a-uuid").status, 404);
}

TEST_F(executions, input_failing_the_source_schema_is_400_and_starts_nothing) {
  auto flow = api_.create_flow(R"({"name":"typed","nodes":[
    {"id":"in","type":"source","data":{"inputSchema":{"type":"object","required":["name"],
      "properties":{"name":{"type":"string"}}}}},
    {"id":"out","type":"sink","data":{}}],
    "edges":[{"id":"e1","source":"in","target":"out"}]})");
  ASSERT_FALSE(flow.empty());
  auto r = api_.post("/api/flows/" + flow + "/execute", R"({"input":{"name":5}})");
  EXPECT_EQ(r.status, 400) << r.body;
  EXPECT_EQ(r.code(), "invalid_input") << r.body;
  EXPECT_TRUE(api_.list_all("/api/executions").empty()) << "nothing starts";
  auto ok = api_.post("/api/flows/" + flow + "/execute?wait=5", R"({"input":{"name":"x"}})");
  EXPECT_EQ(ok.status, 200) << ok.body;
}

} // namespace
} // namespace baley::testing
