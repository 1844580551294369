// ai-blocks on the built-in simulated provider, through the API: tokens stream
// into the log as node_stream events, node_complete carries model, tokens,
// cost, time to first token and tokens per second, outputSchema is enforced,
// fallback models take over, and a cancel stops the stream.
#include "api_client.hpp"
#include "process.hpp"
#include "server_process.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <thread>

namespace baley::testing {
namespace {
namespace json = boost::json;

// Words separated by spaces, newlines or tabs.
std::int64_t words(std::string_view text) {
  std::int64_t n = 0;
  bool in_word = false;
  for (char c : text) {
    bool space = c == ' ' || c == '\n' || c == '\t';
    n += !space && !in_word;
    in_word = !space;
  }
  return n;
}

class ai_block : public ::testing::Test {
protected:
  void SetUp() override {
    ASSERT_TRUE(server_.start()) << server_.diagnostics();
    api_ = server_.admin();
    connection_ = api_.create_simulated_connection("sim", 2);
    ASSERT_FALSE(connection_.empty());
  }

  std::string flow(const std::string& ai_data) {
    auto id = api_.create_flow(R"({"name":"ai","nodes":[{"id":"in","type":"source"},
      {"id":"ask","type":"ai-block","data":{"connectionId":")" + connection_ + "\"," + ai_data
                               + R"(}},{"id":"out","type":"sink"}],
      "edges":[{"source":"in","target":"ask"},{"source":"ask","target":"out"}]})");
    EXPECT_FALSE(id.empty());
    return id;
  }

  std::vector<json::object> events_of(const std::string& id, std::string_view type) {
    std::vector<json::object> out;
    for (const auto& e : api_.replay(id))
      if (e.at("event").at("type").as_string() == type)
        out.push_back(e.at("event").as_object());
    return out;
  }

  server_process server_;
  api_client api_;
  std::string connection_;
};

TEST_F(ai_block, tokens_stream_into_the_log_and_the_completion_is_accounted) {
  auto id = api_.start(flow(R"("model":"sim-1","systemPrompt":"Be brief.","goal":"Summarize.")"),
                       R"({"ticket":"printer on fire"})");
  auto done = api_.wait_terminal(id);
  ASSERT_EQ(string_at(done, "status"), "completed") << done;
  auto output = std::string(done.at("output").as_string());
  EXPECT_EQ(output.rfind("Simulated reply (sim-1): Summarize.", 0), 0u) << output;

  std::string streamed;
  auto deltas = events_of(id, "node_stream");
  ASSERT_GT(deltas.size(), 0u);
  for (const auto& d : deltas) {
    EXPECT_EQ(d.at("nodeId"), "ask");
    EXPECT_EQ(d.at("event").at("type"), "text_delta");
    streamed += d.at("event").at("content").as_string();
  }
  EXPECT_EQ(streamed, output) << "no token lost or reordered";

  auto complete = events_of(id, "node_complete");
  auto ask = std::find_if(complete.begin(), complete.end(),
                          [](const json::object& e) { return e.at("nodeId") == "ask"; });
  ASSERT_NE(ask, complete.end());
  EXPECT_EQ(ask->at("model"), "sim-1");
  auto in = ask->at("tokens").at("input").to_number<std::int64_t>();
  auto out = ask->at("tokens").at("output").to_number<std::int64_t>();
  // The simulated provider counts a token per word: the prompt's words in
  // (system prompt and user message), the reply's space-separated pieces out.
  std::string prefix = "Simulated reply (sim-1): ";
  EXPECT_EQ(in, words("Be brief.") + words(output.substr(prefix.size())));
  EXPECT_EQ(in, 7) << "Be brief. | Summarize. Input: {\"ticket\":\"printer on fire\"}";
  EXPECT_EQ(out, std::count(output.begin(), output.end(), ' ') + 1);
  EXPECT_EQ(out, 6);
  EXPECT_EQ(ask->at("cost").to_number<double>(), 0.0) << "simulated costs nothing";
  EXPECT_TRUE(ask->contains("ttftMs"));
  EXPECT_GT(ask->at("tokensPerSecond").to_number<double>(), 0);
  EXPECT_EQ(done.at("metrics").at("totalTokens").to_number<std::int64_t>(), in + out);
}

TEST_F(ai_block, output_schema_is_validated) {
  auto ok = api_.wait_terminal(api_.start(
    flow(R"("model":"sim-1","outputSchema":{"type":"object","required":["ticket"]})"),
    R"({"ticket":"t-1"})"));
  EXPECT_EQ(string_at(ok, "status"), "completed") << ok;
  EXPECT_EQ(ok.at("output"), json::parse(R"({"ticket":"t-1"})"));

  auto bad = api_.wait_terminal(api_.start(
    flow(R"("model":"sim-1","outputSchema":{"type":"object","required":["answer"]})"),
    R"({"ticket":"t-1"})"));
  EXPECT_EQ(string_at(bad, "status"), "failed") << bad;
  EXPECT_NE(string_at(bad, "error").find("outputSchema"), std::string::npos) << bad;
}

TEST_F(ai_block, a_failing_model_is_retried_then_hands_over_to_the_fallback) {
  auto id = api_.start(flow(R"("model":"fail-primary","fallbackModels":["sim-2"],
    "retry":{"maxRetries":1,"initialDelayMs":5,"maxDelayMs":10})"));
  auto done = api_.wait_terminal(id);
  ASSERT_EQ(string_at(done, "status"), "completed") << done;
  auto retries = events_of(id, "node_retry");
  ASSERT_EQ(retries.size(), 1u);
  EXPECT_EQ(retries[0].at("attempt"), 2);
  auto fallbacks = events_of(id, "node_fallback");
  ASSERT_EQ(fallbacks.size(), 1u);
  EXPECT_EQ(fallbacks[0].at("from"), "fail-primary");
  EXPECT_EQ(fallbacks[0].at("to"), "sim-2");
  int starts = 0;
  for (const auto& s : events_of(id, "node_start"))
    starts += s.at("nodeId") == "ask";
  EXPECT_EQ(starts, 3) << "two attempts of the primary, one of the fallback";
  for (const auto& c : events_of(id, "node_complete")) {
    if (c.at("nodeId") == "ask") {
      EXPECT_EQ(c.at("model"), "sim-2");
    }
  }
}

TEST_F(ai_block, repeated_failures_open_the_breaker_which_then_fails_fast_to_the_fallback) {
  // Five retryable failures within a minute open the breaker of (connection,
  // fail-b); the sixth attempt is refused at once and the fallback takes over.
  auto id = api_.start(flow(R"("model":"fail-b","fallbackModels":["sim-3"],
    "retry":{"maxRetries":8,"initialDelayMs":1,"maxDelayMs":5})"));
  auto done = api_.wait_terminal(id);
  ASSERT_EQ(string_at(done, "status"), "completed") << done;
  auto fallbacks = events_of(id, "node_fallback");
  ASSERT_EQ(fallbacks.size(), 1u);
  EXPECT_EQ(fallbacks[0].at("from"), "fail-b");
  int attempts = 0;
  for (const auto& s : events_of(id, "node_start"))
    attempts += s.at("nodeId") == "ask";
  EXPECT_EQ(attempts, 7) << "five failures, one refused by the open breaker, then sim-3";
  auto metrics = server_.admin().get("/metrics");
  EXPECT_NE(metrics.body.find("baley_breaker_state{connection=\"" + connection_
                              + "\",model=\"fail-b\"} 1"),
            std::string::npos) << metrics.body.substr(metrics.body.find("baley_breaker"), 400);
}

TEST_F(ai_block, a_cancel_stops_the_stream_and_nothing_follows_it) {
  connection_ = api_.create_simulated_connection("slow", 100);
  auto id = api_.start(flow(R"("model":"sim-1","goal":"one two three four five six seven")"));
  ASSERT_TRUE(api_.wait_node_running(id, "ask"));
  auto cancelled = api_.post("/api/executions/" + id + "/cancel", std::nullopt);
  EXPECT_EQ(cancelled.status, 200) << cancelled.body;
  auto events = api_.replay(id);
  ASSERT_FALSE(events.empty());
  EXPECT_EQ(events.back().at("event").at("type"), "execution_cancelled");
  std::this_thread::sleep_for(std::chrono::milliseconds(400));  // several token periods
  EXPECT_EQ(api_.replay(id).size(), events.size()) << "nothing is written after the cancel";
}

TEST_F(ai_block, a_restart_during_a_stream_runs_the_node_again_as_attempt_2) {
  connection_ = api_.create_simulated_connection("slow", 80);
  auto id = api_.start(flow(R"("model":"sim-1","goal":"one two three four five six seven")"));
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (events_of(id, "node_stream").size() < 2 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  ASSERT_GE(events_of(id, "node_stream").size(), 2u) << "the stream had started";
  server_.kill();
  ASSERT_TRUE(server_.start()) << server_.diagnostics();
  api_ = server_.admin();
  auto done = api_.wait_terminal(id);
  ASSERT_EQ(string_at(done, "status"), "completed") << done;
  std::vector<std::int64_t> attempts;
  for (const auto& s : events_of(id, "node_start"))
    if (s.at("nodeId") == "ask")
      attempts.push_back(s.at("attempt").as_int64());
  EXPECT_EQ(attempts, (std::vector<std::int64_t>{1, 2}));
  auto output = std::string(done.at("output").as_string());
  EXPECT_NE(output.find("seven"), std::string::npos) << "the second attempt ran to the end";
}

TEST_F(ai_block, a_connection_of_another_workspace_is_not_found) {
  auto ws = api_.post("/api/workspaces", R"({"name":"other"})");
  ASSERT_EQ(ws.status, 201) << ws.body;
  auto other = server_.client(string_at(ws.json(), "token"));
  auto r = other.post("/api/flows", R"({"name":"x","nodes":[{"id":"in","type":"source"},
    {"id":"ask","type":"ai-block","data":{"connectionId":")" + connection_ + R"(","model":"m"}}],
    "edges":[{"source":"in","target":"ask"}]})");
  EXPECT_EQ(r.status, 400) << r.body;
  EXPECT_NE(r.body.find("not found"), std::string::npos) << r.body;
}

} // namespace
} // namespace baley::testing

namespace baley::testing {
namespace {
namespace json = boost::json;

TEST(ai_block_prices, a_prices_file_sets_the_cost_and_a_stored_ai_block_runs) {
  temp_dir dir;
  write_file(dir.path + "/prices.json", R"({"models":{"sim-1":{"input":1000,"output":2000}}})");
  server_process server({"--prices", dir.path + "/prices.json"});
  ASSERT_TRUE(server.start()) << server.diagnostics();
  auto api = server.admin();
  auto connection = api.create_simulated_connection("sim", 1);
  ASSERT_FALSE(connection.empty());
  auto block = api.post("/api/blocks", R"({"name":"triage","type":"ai-block","config":{
    "connectionId":")" + connection + R"(","model":"sim-1","goal":"Triage."}})");
  ASSERT_EQ(block.status, 201) << block.body;
  auto flow = api.create_flow(R"({"name":"stored","nodes":[{"id":"in","type":"source"},
    {"id":"ask","type":"ai-block","data":{"blockId":")" + string_at(block.json(), "id") + R"("}},
    {"id":"out","type":"sink"}],"edges":[{"source":"in","target":"ask"},{"source":"ask","target":"out"}]})");
  ASSERT_FALSE(flow.empty());
  auto done = api.wait_terminal(api.start(flow, R"({"t":1})"));
  ASSERT_EQ(string_at(done, "status"), "completed") << done;
  const json::value* ask = nullptr;
  for (const auto& n : done.at("nodes").as_array())
    if (n.at("nodeId") == "ask")
      ask = &n;
  ASSERT_NE(ask, nullptr);
  // "Triage.\n\nInput:\n{"t":1}": 3 words in; "Simulated reply (sim-1):
  // Triage.\n\nInput:\n{"t":1}": 4 space-separated pieces out.
  EXPECT_EQ(ask->at("tokens").at("input"), 3);
  EXPECT_EQ(ask->at("tokens").at("output"), 4);
  EXPECT_NEAR(done.at("metrics").at("totalCost").to_number<double>(),
              (3 * 1000.0 + 4 * 2000.0) / 1e6, 1e-12) << done;
}

} // namespace
} // namespace baley::testing
