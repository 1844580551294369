// Block testing through the API (API.md, "Block testing"): a test run is a
// durable one-block execution with trigger `test`, checked against the block's
// inputSchema, listed per block, reusable by id, left out of execution lists
// and analytics, and cancellable like any execution.
#include "api_client.hpp"
#include "server_process.hpp"

#include <gtest/gtest.h>

namespace baley::testing {
namespace {
namespace json = boost::json;

class block_tests : public server_test {
protected:
  void SetUp() override {
    server_test::SetUp();
    auto block = api_.post("/api/blocks", R"({"name":"double","type":"function-block","config":{
      "code":".n * 2","inputSchema":{"type":"object","required":["n"],
      "properties":{"n":{"type":"integer"}}}}})");
    ASSERT_EQ(block.status, 201) << block.body;
    block_ = string_at(block.json(), "id");
  }

  http_response test(const std::string& body, const std::string& query = "?wait=10") {
    return api_.post("/api/blocks/" + block_ + "/test" + query, body);
  }

  // An ai-block on a simulated connection that streams a token every
  // `token_delay_ms`, and a test run of it started (not waited for); the
  // block id and the run id, once its node runs.
  std::pair<std::string, std::string> start_slow_ai_test(int token_delay_ms) {
    auto connection = api_.create_simulated_connection("slow", token_delay_ms);
    auto block = api_.post("/api/blocks", R"({"name":"slow","type":"ai-block","config":{
      "connectionId":")" + connection + R"(","model":"sim-1","goal":"Take your time."}})");
    auto id = string_at(block.json(), "id");
    auto started = api_.post("/api/blocks/" + id + "/test", R"({"input":{"q":"x"}})");
    EXPECT_EQ(started.status, 202) << started.body;
    auto run_id = string_at(started.json(), "testRunId");
    EXPECT_EQ(string_at(started.json(), "executionId"), run_id);
    EXPECT_TRUE(api_.wait_node_running(run_id, "block"));
    return {id, run_id};
  }

  std::string block_;
};

TEST_F(block_tests, a_test_run_runs_the_block_durably_and_answers_when_done) {
  auto r = test(R"({"input":{"n":21}})");
  ASSERT_EQ(r.status, 200) << r.body;
  auto run = r.json();
  EXPECT_EQ(string_at(run, "status"), "completed");
  EXPECT_EQ(run.at("output"), 42);
  EXPECT_EQ(string_at(run, "blockId"), block_);
  EXPECT_EQ(run.at("blockVersion"), 1);
  EXPECT_EQ(run.at("input"), json::parse(R"({"n":21})"));
  EXPECT_TRUE(run.at("error").is_null());
  EXPECT_TRUE(is_rfc3339_ms(string_at(run, "startedAt")));
  EXPECT_TRUE(is_rfc3339_ms(string_at(run, "completedAt")));
  EXPECT_GE(run.at("durationMs").as_int64(), 0);
  for (const auto* ai : {"model", "tokens", "cost", "ttftMs", "tokensPerSecond"})
    EXPECT_TRUE(run.at(ai).is_null()) << ai << " is an AI field";
  EXPECT_EQ(run.at("toolCalls"), json::array());
  auto id = string_at(run, "id");
  EXPECT_EQ(string_at(run, "executionId"), id);

  // It is an execution like any: readable, replayable, with trigger `test`.
  auto execution = api_.execution(id);
  EXPECT_EQ(string_at(execution, "status"), "completed");
  EXPECT_EQ(string_at(execution.at("trigger"), "type"), "test");
  auto events = api_.replay(id);
  ASSERT_FALSE(events.empty());
  EXPECT_EQ(events.at(0).at("event").at("type"), "execution_start");
  EXPECT_EQ(api_.get("/api/executions/" + id + "/audit").status, 200);

  // Its history, newest first, and one run by id.
  ASSERT_EQ(test(R"({"input":{"n":1}})").status, 200);
  auto history = api_.list_all("/api/blocks/" + block_ + "/tests");
  ASSERT_EQ(history.size(), 2u);
  EXPECT_EQ(history.at(1).at("id"), json::value(id));
  EXPECT_EQ(history.at(0).at("output"), 2);
  auto one = api_.get("/api/blocks/" + block_ + "/tests/" + id);
  ASSERT_EQ(one.status, 200);
  EXPECT_EQ(one.json(), run);

  // Test runs stay out of the execution list unless asked for.
  EXPECT_EQ(api_.list_all("/api/executions").size(), 0u);
  EXPECT_EQ(api_.list_all("/api/executions?kind=test").size(), 2u);
  EXPECT_EQ(api_.get("/api/executions?kind=other").status, 400);
}

TEST_F(block_tests, a_past_input_is_reused_and_versions_are_kept) {
  auto first = test(R"({"input":{"n":5}})").json();
  ASSERT_EQ(first.at("output"), 10);
  ASSERT_EQ(api_.put("/api/blocks/" + block_, R"({"name":"triple","type":"function-block",
    "config":{"code":".n * 3"}})").status, 200);
  auto again = test(R"({"fromTestRunId":")" + string_at(first, "id") + "\"}");
  ASSERT_EQ(again.status, 200) << again.body;
  EXPECT_EQ(again.json().at("input"), json::parse(R"({"n":5})"));
  EXPECT_EQ(again.json().at("output"), 15) << "the latest version by default";
  EXPECT_EQ(again.json().at("blockVersion"), 2);
  auto old = test(R"({"fromTestRunId":")" + string_at(first, "id") + R"(","version":1})");
  ASSERT_EQ(old.status, 200) << old.body;
  EXPECT_EQ(old.json().at("output"), 10);
  EXPECT_EQ(old.json().at("blockVersion"), 1);

  EXPECT_EQ(test(R"({"input":{"n":1},"version":3})").status, 404);
  EXPECT_EQ(test(R"({"input":{"n":1},"version":0})").status, 400);
  EXPECT_EQ(test(R"({"fromTestRunId":"0190aaaa-0000-7000-8000-000000000000"})").status, 404);
  EXPECT_EQ(api_.post("/api/blocks/0190aaaa-0000-7000-8000-000000000000/test", "{}").status, 404);
  EXPECT_EQ(api_.get("/api/blocks/" + block_ + "/tests/0190aaaa-0000-7000-8000-000000000000").status,
            404);
}

TEST_F(block_tests, an_input_the_schema_refuses_starts_nothing) {
  for (const auto* body : {R"({"input":{"n":"x"}})", R"({"input":{}})", R"({})"}) {
    auto r = test(body);
    EXPECT_EQ(r.status, 400) << body << " " << r.body;
    EXPECT_EQ(string_at(r.json(), "code"), "invalid_input") << body;
  }
  EXPECT_EQ(test(R"([1])").status, 400);
  EXPECT_EQ(api_.list_all("/api/blocks/" + block_ + "/tests").size(), 0u);
  EXPECT_EQ(api_.list_all("/api/executions?kind=test").size(), 0u);
}

TEST_F(block_tests, another_workspace_sees_nothing) {
  auto run = test(R"({"input":{"n":2}})").json();
  auto ws = api_.post("/api/workspaces", R"({"name":"other"})");
  auto other = server_.client(string_at(ws.json(), "token"));
  EXPECT_EQ(other.post("/api/blocks/" + block_ + "/test", R"({"input":{"n":1}})").status, 404);
  EXPECT_EQ(other.get("/api/blocks/" + block_ + "/tests").status, 404);
  EXPECT_EQ(other.get("/api/blocks/" + block_ + "/tests/" + string_at(run, "id")).status, 404);
  EXPECT_EQ(other.get("/api/executions/" + string_at(run, "id")).status, 404);
}

TEST_F(block_tests, an_ai_block_test_streams_counts_tokens_and_is_no_decision) {
  auto connection = api_.create_simulated_connection("sim", 0);
  auto block = api_.post("/api/blocks", R"({"name":"ask","type":"ai-block","config":{
    "connectionId":")" + connection + R"(","model":"sim-1","goal":"Answer."}})");
  ASSERT_EQ(block.status, 201) << block.body;
  auto id = string_at(block.json(), "id");
  auto r = api_.post("/api/blocks/" + id + "/test?wait=10", R"({"input":{"q":"why"}})");
  ASSERT_EQ(r.status, 200) << r.body;
  auto run = r.json();
  EXPECT_EQ(string_at(run, "status"), "completed");
  EXPECT_EQ(string_at(run, "model"), "sim-1");
  EXPECT_GT(run.at("tokens").at("output").as_int64(), 0);
  EXPECT_TRUE(run.at("cost").is_number());
  EXPECT_TRUE(run.at("ttftMs").is_number());
  EXPECT_TRUE(run.at("output").is_string());
  bool streamed = false;
  for (const auto& e : api_.replay(string_at(run, "executionId")))
    streamed |= e.at("event").at("type") == "node_stream";
  EXPECT_TRUE(streamed);
  EXPECT_EQ(api_.list_all("/api/decisions").size(), 0u) << "test runs are no decisions";
  EXPECT_EQ(api_.get("/api/analytics/cost").json().at("items"), json::array());
}

TEST_F(block_tests, a_test_run_is_cancelled_like_any_execution_and_survives_a_restart) {
  auto [id, run_id] = start_slow_ai_test(200);
  auto running = api_.get("/api/blocks/" + id + "/tests/" + run_id).json();
  EXPECT_EQ(string_at(running, "status"), "running");
  EXPECT_TRUE(running.at("completedAt").is_null());
  ASSERT_EQ(api_.post("/api/executions/" + run_id + "/cancel", "{}").status, 200);
  auto ended = api_.wait_terminal(run_id);
  EXPECT_EQ(string_at(ended, "status"), "cancelled");
  auto run = api_.get("/api/blocks/" + id + "/tests/" + run_id).json();
  EXPECT_EQ(string_at(run, "status"), "cancelled");

  ASSERT_EQ(test(R"({"input":{"n":4}})").status, 200);
  server_.stop();
  ASSERT_TRUE(server_.start()) << server_.diagnostics();
  api_ = server_.admin();
  EXPECT_EQ(api_.list_all("/api/blocks/" + block_ + "/tests").size(), 1u);
  EXPECT_EQ(string_at(api_.get("/api/blocks/" + id + "/tests/" + run_id).json(), "status"),
            "cancelled");
}

TEST_F(block_tests, a_test_run_killed_mid_stream_resumes_after_a_restart) {
  auto [id, run_id] = start_slow_ai_test(50);
  server_.kill();
  ASSERT_TRUE(server_.start()) << server_.diagnostics();
  api_ = server_.admin();
  auto ended = api_.wait_terminal(run_id);
  EXPECT_EQ(string_at(ended, "status"), "completed") << ended;
  auto run = api_.get("/api/blocks/" + id + "/tests/" + run_id).json();
  EXPECT_EQ(string_at(run, "status"), "completed") << run;
  EXPECT_TRUE(run.at("output").is_string());
}

} // namespace
} // namespace baley::testing
