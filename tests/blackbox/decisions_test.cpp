// Decisions, feedback and analytics through the API (API.md, "Decisions and
// feedback", "Analytics"): every ai-block completion is a decision, feedback
// moves the accuracy of its hour exactly, cost sums match the price table,
// failures group by signature, and other workspaces see none of it.
#include "api_client.hpp"
#include "mock_llm_process.hpp"
#include "process.hpp"
#include "server_process.hpp"

#include <gtest/gtest.h>

#include <set>

namespace baley::testing {
namespace {
namespace json = boost::json;

constexpr double input_price = 1000;   // USD per 1M tokens, from the price file
constexpr double output_price = 2000;

class decisions : public ::testing::Test {
protected:
  decisions() : server_({"--durability", "buffered", "--prices", prices_path()}) {}

  static std::string prices_path() {
    static temp_dir dir;
    static bool written = false;
    if (!written) {
      write_file(dir.path + "/prices.json",
                 R"({"models":{"sim-1":{"input":1000,"output":2000}}})");
      written = true;
    }
    return dir.path + "/prices.json";
  }

  void SetUp() override {
    ASSERT_TRUE(server_.start()) << server_.diagnostics();
    api_ = server_.admin();
    connection_ = api_.create_simulated_connection("sim", 0);
    ASSERT_FALSE(connection_.empty());
    auto block = api_.post("/api/blocks", R"({"name":"triage","type":"ai-block","config":{
      "connectionId":")" + connection_ + R"(","model":"sim-1","goal":"Triage."}})");
    ASSERT_EQ(block.status, 201) << block.body;
    block_ = string_at(block.json(), "id");
    stored_flow_ = api_.create_flow(R"({"name":"stored","nodes":[{"id":"in","type":"source"},
      {"id":"ask","type":"ai-block","data":{"blockId":")" + block_ + R"("}},
      {"id":"out","type":"sink"}],"edges":[{"source":"in","target":"ask"},{"source":"ask","target":"out"}]})");
    inline_flow_ = api_.create_flow(R"({"name":"inline","nodes":[{"id":"in","type":"source"},
      {"id":"judge","type":"ai-block","data":{"connectionId":")" + connection_ + R"(",
      "model":"sim-1","goal":"Judge."}},{"id":"out","type":"sink"}],
      "edges":[{"source":"in","target":"judge"},{"source":"judge","target":"out"}]})");
    ASSERT_FALSE(stored_flow_.empty());
    ASSERT_FALSE(inline_flow_.empty());
  }

  json::value run(const std::string& flow, const std::string& input) {
    auto done = api_.wait_terminal(api_.start(flow, input));
    EXPECT_EQ(string_at(done, "status"), "completed") << done;
    return done;
  }

  json::array decisions_of(const std::string& query = "") {
    return api_.list_all("/api/decisions" + query);
  }

  http_response feedback(const std::string& id, const std::string& body) {
    return api_.post("/api/decisions/" + id + "/feedback", body);
  }

  json::object block_analytics(const std::string& query = "?bucket=hour") {
    auto r = api_.get("/api/analytics/blocks/" + block_ + query);
    EXPECT_EQ(r.status, 200) << r.body;
    return r.json().as_object();
  }

  server_process server_;
  api_client api_;
  std::string connection_;
  std::string block_;
  std::string stored_flow_;
  std::string inline_flow_;
};

double cost_of(const json::value& decision) {
  return (decision.at("tokens").at("input").to_number<double>() * input_price
          + decision.at("tokens").at("output").to_number<double>() * output_price)
         / 1e6;
}

TEST_F(decisions, every_ai_completion_is_a_decision_with_what_it_was_given_and_answered) {
  std::vector<std::string> executions;
  for (int i = 0; i < 3; ++i)
    executions.push_back(string_at(run(stored_flow_, R"({"ticket":)" + std::to_string(i) + "}"), "id"));
  executions.push_back(string_at(run(inline_flow_, R"({"ticket":"x"})"), "id"));

  auto all = decisions_of();
  ASSERT_EQ(all.size(), 4u) << all;
  EXPECT_EQ(string_at(all[0], "executionId"), executions[3]) << "newest first";
  EXPECT_TRUE(all[0].at("blockId").is_null()) << "an inline ai-block has no block id";
  EXPECT_EQ(string_at(all[0], "nodeId"), "judge");
  for (std::size_t i = 1; i < 4; ++i) {
    const auto& d = all[i];
    EXPECT_EQ(string_at(d, "executionId"), executions[3 - i]);
    EXPECT_EQ(string_at(d, "blockId"), block_);
    EXPECT_EQ(d.at("blockVersion"), 1);
    EXPECT_EQ(string_at(d, "flowId"), stored_flow_);
    EXPECT_EQ(string_at(d, "model"), "sim-1");
    EXPECT_EQ(d.at("input"), json::parse(R"({"ticket":)" + std::to_string(3 - i) + "}"));
    EXPECT_TRUE(d.at("output").is_string());
    EXPECT_TRUE(is_uuid_v7(string_at(d, "id")));
    EXPECT_TRUE(is_rfc3339_ms(string_at(d, "createdAt")));
    EXPECT_TRUE(d.at("feedback").is_null());
    EXPECT_NEAR(d.at("cost").to_number<double>(), cost_of(d), 1e-15) << d;
    EXPECT_GE(d.at("latencyMs").to_number<double>(), 0);
  }
  // The decision's id is its node run's blockExecutionId.
  std::set<std::string> node_runs;
  for (const auto& e : api_.replay(executions[0]))
    if (e.at("event").at("type") == "node_start" && e.at("event").at("nodeId") == "ask")
      node_runs.insert(string_at(e.at("event"), "blockExecutionId"));
  EXPECT_EQ(node_runs, std::set<std::string>{string_at(all[3], "id")});

  EXPECT_EQ(decisions_of("?blockId=" + block_).size(), 3u);
  EXPECT_EQ(decisions_of("?flowId=" + inline_flow_).size(), 1u);
  EXPECT_EQ(decisions_of("?model=sim-1").size(), 4u);
  EXPECT_EQ(decisions_of("?model=other").size(), 0u);
  EXPECT_EQ(decisions_of("?from=2000-01-01T00:00:00.000Z&to=2001-01-01T00:00:00.000Z").size(), 0u);
  EXPECT_EQ(api_.get("/api/decisions?from=yesterday").status, 400);
  EXPECT_EQ(api_.get("/api/decisions?feedback=maybe").status, 400);

  auto one = api_.get("/api/decisions/" + string_at(all[1], "id"));
  ASSERT_EQ(one.status, 200) << one.body;
  EXPECT_EQ(one.json().at("feedbackHistory"), json::array());
  EXPECT_EQ(api_.get("/api/decisions/0190aaaa-0000-7000-8000-000000000000").status, 404);

  // Another workspace sees none of it.
  auto ws = api_.post("/api/workspaces", R"({"name":"other"})");
  ASSERT_EQ(ws.status, 201) << ws.body;
  auto other = server_.client(string_at(ws.json(), "token"));
  EXPECT_EQ(other.list_all("/api/decisions").size(), 0u);
  EXPECT_EQ(other.get("/api/decisions/" + string_at(all[1], "id")).status, 404);
  EXPECT_EQ(other.post("/api/decisions/" + string_at(all[1], "id") + "/feedback",
                       R"({"correct":true})").status, 404);
  EXPECT_EQ(other.get("/api/analytics/blocks/" + block_).status, 404);
  auto cost = other.get("/api/analytics/cost");
  ASSERT_EQ(cost.status, 200) << cost.body;
  EXPECT_EQ(cost.json().at("items"), json::array());
}

TEST_F(decisions, feedback_moves_the_accuracy_of_its_hour_exactly_and_the_history_stays) {
  for (int i = 0; i < 3; ++i)
    run(stored_flow_, R"({"n":)" + std::to_string(i) + "}");
  auto all = decisions_of("?blockId=" + block_);
  ASSERT_EQ(all.size(), 3u);
  auto a = string_at(all[0], "id"), b = string_at(all[1], "id");

  auto before = block_analytics();
  EXPECT_EQ(before.at("totals").at("decisions"), 3);
  EXPECT_EQ(before.at("totals").at("withFeedback"), 0);
  EXPECT_TRUE(before.at("totals").at("accuracy").is_null());

  auto given = feedback(a, R"({"correct":true,"notes":"fine"})");
  ASSERT_EQ(given.status, 201) << given.body;
  EXPECT_EQ(string_at(given.json(), "decisionId"), a);
  EXPECT_EQ(given.json().at("correct"), true);
  EXPECT_TRUE(given.json().at("category").is_null());
  EXPECT_EQ(string_at(given.json(), "notes"), "fine");
  EXPECT_TRUE(is_rfc3339_ms(string_at(given.json(), "createdAt")));
  ASSERT_EQ(feedback(b, R"({"correct":false,"category":"hallucination",
                             "correctedOutput":{"route":"billing"}})").status, 201);

  auto mid = block_analytics();
  const auto& totals = mid.at("totals");
  EXPECT_EQ(totals.at("withFeedback"), 2);
  EXPECT_EQ(totals.at("correct"), 1);
  EXPECT_EQ(totals.at("incorrect"), 1);
  EXPECT_EQ(totals.at("accuracy").to_number<double>(), 0.5);
  ASSERT_EQ(mid.at("buckets").as_array().size(), 1u) << "one hour: " << mid;
  EXPECT_EQ(mid.at("buckets").at(0).at("accuracy").to_number<double>(), 0.5);

  // The latest feedback counts; the history keeps both, oldest first.
  ASSERT_EQ(feedback(a, R"({"correct":false,"category":"tone"})").status, 201);
  auto after = block_analytics("?bucket=day");
  EXPECT_EQ(after.at("totals").at("withFeedback"), 2);
  EXPECT_EQ(after.at("totals").at("correct"), 0);
  EXPECT_EQ(after.at("totals").at("incorrect"), 2);
  EXPECT_EQ(after.at("totals").at("accuracy").to_number<double>(), 0.0);
  auto d = api_.get("/api/decisions/" + a).json();
  ASSERT_EQ(d.at("feedbackHistory").as_array().size(), 2u) << d;
  EXPECT_EQ(d.at("feedbackHistory").at(0).at("correct"), true);
  EXPECT_EQ(string_at(d.at("feedbackHistory").at(1), "category"), "tone");
  EXPECT_EQ(string_at(d.at("feedback"), "category"), "tone");
  EXPECT_EQ(decisions_of("?feedback=incorrect").size(), 2u);
  EXPECT_EQ(decisions_of("?feedback=none").size(), 1u);
  EXPECT_EQ(decisions_of("?feedback=correct").size(), 0u);

  // Bad feedback changes nothing.
  for (const auto* body : {R"({})", R"({"correct":"yes"})", R"({"correct":false})",
                           R"([true])", R"({"correct":false,"category":7})"}) {
    auto r = feedback(a, body);
    EXPECT_EQ(r.status, 400) << body;
    EXPECT_EQ(string_at(r.json(), "code"), "invalid_feedback") << body << " " << r.body;
  }
  auto unknown = feedback(a, R"({"correct":false,"category":"nope"})");
  EXPECT_EQ(unknown.status, 400);
  EXPECT_EQ(string_at(unknown.json(), "code"), "invalid_category");
  EXPECT_EQ(feedback("0190aaaa-0000-7000-8000-000000000000", R"({"correct":true})").status, 404);
  EXPECT_EQ(api_.get("/api/decisions/" + a).json().at("feedbackHistory").as_array().size(), 2u);
  EXPECT_EQ(block_analytics().at("totals"), after.at("totals"));
}

TEST_F(decisions, cost_and_usage_sum_exactly_by_block_model_and_flow) {
  for (int i = 0; i < 3; ++i)
    run(stored_flow_, R"({"words":")" + std::string(static_cast<std::size_t>(i + 1), 'w') + "\"}");
  run(inline_flow_, R"({"a":"b c d"})");
  auto all = decisions_of();
  ASSERT_EQ(all.size(), 4u);
  double stored_cost = 0, all_cost = 0;
  std::int64_t stored_in = 0, stored_out = 0, latency_max = 0;
  for (const auto& d : all) {
    all_cost += d.at("cost").to_number<double>();
    latency_max = std::max<std::int64_t>(latency_max, d.at("latencyMs").as_int64());
    if (string_at(d, "blockId") != block_)
      continue;
    stored_cost += d.at("cost").to_number<double>();
    stored_in += d.at("tokens").at("input").as_int64();
    stored_out += d.at("tokens").at("output").as_int64();
  }
  EXPECT_GT(stored_cost, 0);

  auto block = block_analytics();
  EXPECT_EQ(block.at("totals").at("tokens").at("input"), stored_in);
  EXPECT_EQ(block.at("totals").at("tokens").at("output"), stored_out);
  EXPECT_NEAR(block.at("totals").at("cost").to_number<double>(), stored_cost, 1e-12);
  const auto& latency = block.at("totals").at("latencyMs");
  EXPECT_LE(latency.at("p50").as_int64(), latency.at("p99").as_int64());
  EXPECT_LE(latency.at("p99").as_int64(), latency_max);

  auto by_block = api_.get("/api/analytics/cost?groupBy=block").json();
  ASSERT_EQ(by_block.at("items").as_array().size(), 2u) << by_block;
  EXPECT_NEAR(by_block.at("total").at("cost").to_number<double>(), all_cost, 1e-12);
  EXPECT_EQ(by_block.at("total").at("decisions"), 4);
  for (const auto& item : by_block.at("items").as_array()) {
    if (string_at(item, "key") == block_) {
      EXPECT_EQ(string_at(item, "label"), "triage");
      EXPECT_EQ(item.at("decisions"), 3);
      EXPECT_NEAR(item.at("cost").to_number<double>(), stored_cost, 1e-12);
    } else {
      EXPECT_EQ(string_at(item, "key"), inline_flow_ + "/judge") << "flowId/nodeId inline";
      EXPECT_EQ(string_at(item, "label"), "inline / judge");
    }
  }
  auto costs = by_block.at("items").as_array();
  EXPECT_GE(costs[0].at("cost").to_number<double>(), costs[1].at("cost").to_number<double>())
    << "most expensive first";

  auto by_model = api_.get("/api/analytics/cost?groupBy=model").json();
  ASSERT_EQ(by_model.at("items").as_array().size(), 1u);
  EXPECT_EQ(string_at(by_model.at("items").at(0), "key"), "sim-1");
  EXPECT_EQ(by_model.at("items").at(0).at("decisions"), 4);
  auto by_flow = api_.get("/api/analytics/cost?groupBy=flow").json();
  ASSERT_EQ(by_flow.at("items").as_array().size(), 2u);
  EXPECT_EQ(string_at(by_flow.at("items").at(0), "label").empty(), false);

  EXPECT_EQ(api_.get("/api/analytics/cost?groupBy=colour").status, 400);
  EXPECT_EQ(api_.get("/api/analytics/blocks/" + block_ + "?bucket=week").status, 400);
  EXPECT_EQ(api_.get("/api/analytics/blocks/" + block_ + "?from=2030-01-01T00:00:00Z&to=2029-01-01T00:00:00Z").status, 400);
  auto past = api_.get("/api/analytics/cost?from=2000-01-01T00:00:00.000Z&to=2000-02-01T00:00:00.000Z");
  EXPECT_EQ(past.json().at("items"), json::array());
  EXPECT_EQ(api_.get("/api/analytics/blocks/0190aaaa-0000-7000-8000-000000000000").status, 404);
}

TEST_F(decisions, categories_built_in_and_the_workspace_own) {
  auto list = api_.get("/api/feedback/categories");
  ASSERT_EQ(list.status, 200);
  std::vector<std::string> names;
  auto body = list.json();
  for (const auto& c : body.at("items").as_array()) {
    names.push_back(string_at(c, "name"));
    EXPECT_EQ(c.at("builtIn"), true);
    EXPECT_FALSE(string_at(c, "description").empty());
  }
  EXPECT_EQ(names, (std::vector<std::string>{"wrong_answer", "hallucination", "format_error",
                                             "incomplete", "off_topic", "tone", "other"}));
  for (const auto* bad : {R"({"name":"Bad"})", R"({"name":"1abc"})", R"({"name":""})",
                          R"({"name":"a-b"})", R"({})",
                          R"({"name":"a2345678901234567890123456789012345678901"})"}) {
    auto r = api_.post("/api/feedback/categories", bad);
    EXPECT_EQ(r.status, 400) << bad;
    EXPECT_EQ(string_at(r.json(), "code"), "invalid_category") << bad;
  }
  EXPECT_EQ(api_.post("/api/feedback/categories", R"({"name":"tone"})").status, 409);
  auto made = api_.post("/api/feedback/categories",
                        R"({"name":"wrong_route","description":"Sent to the wrong team."})");
  ASSERT_EQ(made.status, 201) << made.body;
  EXPECT_EQ(made.json(), json::parse(R"({"name":"wrong_route","description":"Sent to the wrong team.","builtIn":false})"));
  EXPECT_EQ(api_.post("/api/feedback/categories", R"({"name":"wrong_route"})").status, 409);

  run(stored_flow_, "{}");
  auto id = string_at(decisions_of().at(0), "id");
  EXPECT_EQ(feedback(id, R"({"correct":false,"category":"wrong_route"})").status, 201);

  auto ws = api_.post("/api/workspaces", R"({"name":"other"})");
  auto other = server_.client(string_at(ws.json(), "token"));
  EXPECT_EQ(other.get("/api/feedback/categories").json().at("items").as_array().size(), 7u)
    << "a workspace's categories are its own";

  EXPECT_EQ(api_.del("/api/feedback/categories/tone").status, 409);
  EXPECT_EQ(api_.del("/api/feedback/categories/nothing").status, 404);
  EXPECT_EQ(other.del("/api/feedback/categories/wrong_route").status, 404);
  EXPECT_EQ(api_.del("/api/feedback/categories/wrong_route").status, 204);
  EXPECT_EQ(api_.get("/api/feedback/categories").json().at("items").as_array().size(), 7u);
  EXPECT_EQ(string_at(feedback(id, R"({"correct":false,"category":"wrong_route"})").json(), "code"),
            "invalid_category");

  // Categories are events: they survive a restart.
  ASSERT_EQ(api_.post("/api/feedback/categories", R"({"name":"kept"})").status, 201);
  server_.stop();
  ASSERT_TRUE(server_.start()) << server_.diagnostics();
  EXPECT_EQ(server_.admin().get("/api/feedback/categories").json().at("items").as_array().size(), 8u);
}

TEST_F(decisions, failures_group_by_signature_and_a_success_after_retries_is_none) {
  auto failing = api_.create_flow(R"J({"name":"failing","nodes":[{"id":"in","type":"source"},
    {"id":"count","type":"function-block","data":{"code":"error(\"attempt \\(.n) of 3 for \\(.id)\")"}},
    {"id":"out","type":"sink"}],"edges":[{"source":"in","target":"count"},{"source":"count","target":"out"}]})J");
  ASSERT_FALSE(failing.empty());
  std::vector<std::string> ids;
  for (auto input : {R"({"n":1,"id":"0190aaaa-0000-7000-8000-000000000001"})",
                     R"({"n":3,"id":"0190bbbb-0000-7000-8000-000000000002"})"}) {
    auto done = api_.wait_terminal(api_.start(failing, input));
    EXPECT_EQ(string_at(done, "status"), "failed") << done;
    ids.push_back(string_at(done, "id"));
  }
  auto r = api_.get("/api/analytics/failures");
  ASSERT_EQ(r.status, 200) << r.body;
  auto items = r.json().at("items").as_array();
  ASSERT_EQ(items.size(), 1u) << r.body;
  const auto& group = items[0];
  EXPECT_EQ(group.at("count"), 2);
  auto signature = string_at(group, "signature");
  EXPECT_NE(signature.find("attempt <n> of <n> for <id>"), std::string::npos) << signature;
  EXPECT_EQ(group.at("flowIds"), json::array({json::value(failing)}));
  EXPECT_EQ(group.at("nodeIds"), json::array({"count"}));
  ASSERT_EQ(group.at("examples").as_array().size(), 2u);
  EXPECT_EQ(string_at(group.at("examples").at(0), "executionId"), ids[1]) << "newest first";
  EXPECT_NE(string_at(group.at("examples").at(1), "error").find("attempt 1 of 3"), std::string::npos);
  EXPECT_TRUE(is_rfc3339_ms(string_at(group, "firstSeen")));
  EXPECT_EQ(api_.get("/api/analytics/failures?flowId=" + stored_flow_).json().at("items"),
            json::array());
  EXPECT_EQ(api_.get("/api/analytics/failures?flowId=" + failing).json().at("items").as_array().size(), 1u);
  EXPECT_EQ(api_.get("/api/analytics/failures?blockId=" + block_).json().at("items"), json::array());
}

TEST(decision_failures, a_node_that_succeeds_after_a_retry_is_no_failure) {
  ASSERT_TRUE(node_available()) << "node is not installed (make test installs it)";
  mock_llm_process mock;
  ASSERT_TRUE(mock.started()) << mock.diagnostics();
  server_process server({"--durability", "buffered"});
  ASSERT_TRUE(server.start()) << server.diagnostics();
  auto api = server.admin();
  auto connection = api.post("/api/connections", R"({"name":"mock","type":"openai","baseUrl":")"
                                                   + mock.base_url() + R"(","apiKey":"k"})");
  ASSERT_EQ(connection.status, 201) << connection.body;
  auto flow = api.create_flow(R"({"name":"flaky","nodes":[{"id":"in","type":"source"},
    {"id":"ask","type":"ai-block","data":{"connectionId":")" + string_at(connection.json(), "id")
                              + R"(","model":"m","retry":{"maxRetries":2,"initialDelayMs":1}}},
    {"id":"out","type":"sink"}],"edges":[{"source":"in","target":"ask"},{"source":"ask","target":"out"}]})");
  ASSERT_EQ(mock.script(R"([{"status":500},{}])").status, 200);
  auto done = api.wait_terminal(api.start(flow, R"({"q":"hello there"})"));
  ASSERT_EQ(string_at(done, "status"), "completed") << done;
  bool retried = false;
  for (const auto& e : api.replay(string_at(done, "id")))
    retried |= e.at("event").at("type") == "node_retry";
  EXPECT_TRUE(retried) << "the first attempt failed and was retried";
  EXPECT_EQ(api.get("/api/analytics/failures").json().at("items"), json::array());
  EXPECT_EQ(api.list_all("/api/decisions").size(), 1u);
}

} // namespace
} // namespace baley::testing
