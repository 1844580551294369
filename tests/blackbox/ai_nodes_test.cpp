// ai-blocks where the seed expects them (issue 9): a loop whose body is an
// ai-block (its provider calls bounded by the loop's concurrency, one
// decision per item), and a router that classifies with an ai-block, inline
// or stored, whose answer names the route.
#include "mock_llm_server_test.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <set>

namespace baley::testing {
namespace {
namespace json = boost::json;

class ai_nodes : public mock_llm_server_test {
protected:
  void SetUp() override {
    mock_llm_server_test::SetUp();
    if (HasFatalFailure())
      return;
    connection_ = connection("openai");
  }

  std::string router_flow(const std::string& classifier, bool with_default) {
    return api_.create_flow(R"({"name":"route","nodes":[{"id":"in","type":"source"},
      {"id":"pick","type":"router","data":{"classifier":)" + classifier
                            + R"(,"routes":[{"name":"billing"},{"name":"tech"}])"
                            + (with_default ? R"(,"default":"other")" : "") + R"(}},
      {"id":"b","type":"sink"},{"id":"t","type":"sink"})" + (with_default ? R"(,{"id":"o","type":"sink"})" : "")
                            + R"(],"edges":[{"source":"in","target":"pick"},
      {"source":"pick","target":"b","sourceHandle":"billing"},
      {"source":"pick","target":"t","sourceHandle":"tech"})"
                            + (with_default ? R"(,{"source":"pick","target":"o","sourceHandle":"other"})" : "")
                            + "]}");
  }

  // A loop over .items, two at a time, whose body is an inline ai-block.
  std::string loop_flow() {
    return api_.create_flow(R"({"name":"each","nodes":[{"id":"in","type":"source"},
      {"id":"each","type":"loop","data":{"over":".items","concurrency":2,"body":{"type":"ai-block",
        "connectionId":")" + connection_ + R"(","model":"m","goal":"Echo."}}},
      {"id":"out","type":"sink"}],"edges":[{"source":"in","target":"each"},{"source":"each","target":"out"}]})");
  }

  std::string inline_classifier() const {
    return R"({"type":"ai-block","connectionId":")" + connection_
           + R"(","model":"m","goal":"Name the team: billing or tech."})";
  }

  std::map<std::string, std::string> statuses(const json::value& execution) {
    std::map<std::string, std::string> out;
    for (const auto& n : execution.at("nodes").as_array())
      out[string_at(n, "nodeId")] = string_at(n, "status");
    return out;
  }

  std::string connection_;
};

TEST_F(ai_nodes, a_loop_body_may_be_an_ai_block_and_each_item_is_a_decision) {
  auto flow = loop_flow();
  ASSERT_FALSE(flow.empty());
  ASSERT_EQ(mock_->script(R"([{"text":"one"},{"text":"two"},{"text":"three"}])").status, 200);
  auto done = api_.wait_terminal(api_.start(flow, R"({"items":["a","b","c"]})"));
  ASSERT_EQ(string_at(done, "status"), "completed") << done;
  ASSERT_TRUE(done.at("output").is_array());
  ASSERT_EQ(done.at("output").as_array().size(), 3u);
  std::multiset<std::string> answers;
  for (const auto& o : done.at("output").as_array())
    answers.insert(std::string(o.as_string()));
  EXPECT_EQ(answers, (std::multiset<std::string>{"one", "two", "three"}));
  EXPECT_EQ(mock_->requests().size(), 3u);

  auto decisions = api_.list_all("/api/decisions");
  ASSERT_EQ(decisions.size(), 3u);
  std::set<std::int64_t> iterations;
  for (const auto& d : decisions) {
    EXPECT_EQ(string_at(d, "nodeId"), "each");
    iterations.insert(d.at("iteration").as_int64());
  }
  EXPECT_EQ(iterations, (std::set<std::int64_t>{0, 1, 2}));
  // The item each call was given is the decision's input.
  std::set<std::string> inputs;
  for (const auto& d : decisions)
    inputs.insert(std::string(d.at("input").as_string()));
  EXPECT_EQ(inputs, (std::set<std::string>{"a", "b", "c"}));
}

// The most provider calls in flight at once, from when the mock received each
// request to when it wrote that reply's last token.
std::size_t most_calls_at_once(const json::array& requests, const json::array& timings) {
  std::map<std::int64_t, double> ends;
  for (const auto& t : timings) {
    const auto& tokens = t.at("tokens").as_array();
    if (!tokens.empty())
      ends[t.at("request").as_int64()] = tokens.back().at("writtenAtMs").to_number<double>();
  }
  std::vector<std::pair<double, int>> edges;  // (time, +1 start / -1 end)
  for (const auto& r : requests) {
    auto end = ends.find(r.at("index").as_int64());
    if (end == ends.end())
      continue;
    edges.emplace_back(r.at("receivedAtMs").to_number<double>(), +1);
    edges.emplace_back(end->second, -1);
  }
  std::sort(edges.begin(), edges.end());  // an end before a start at the same time
  std::size_t now = 0, most = 0;
  for (const auto& [at, step] : edges) {
    now = static_cast<std::size_t>(static_cast<int>(now) + step);
    most = std::max(most, now);
  }
  return most;
}

TEST_F(ai_nodes, a_loops_concurrency_bounds_its_ai_bodys_provider_calls) {
  auto flow = loop_flow();
  ASSERT_FALSE(flow.empty());
  // Six calls of 200 ms each (5 tokens at 25 per second).
  std::string paced = R"({"tokens":5,"tokensPerSecond":25})";
  ASSERT_EQ(mock_->script("[" + paced + "," + paced + "," + paced + "," + paced + "," + paced
                          + "," + paced + "]").status, 200);
  auto done = api_.wait_terminal(api_.start(flow, R"({"items":["a","b","c","d","e","f"]})"));
  ASSERT_EQ(string_at(done, "status"), "completed") << done;
  auto requests = mock_->requests();
  ASSERT_EQ(requests.size(), 6u);
  EXPECT_EQ(most_calls_at_once(requests, mock_->timings()), 2u)
    << "two calls at a time: never a third, and never one alone throughout";
}

TEST_F(ai_nodes, a_router_classifies_with_an_ai_block_and_the_answer_names_the_route) {
  auto flow = router_flow(inline_classifier(), true);
  ASSERT_FALSE(flow.empty());
  ASSERT_EQ(mock_->script(R"([{"text":"billing"},{"text":"{\"route\":\"tech\"}"},{"text":"weather"}])").status, 200);
  auto first = api_.wait_terminal(api_.start(flow, R"({"ticket":"refund"})"));
  ASSERT_EQ(string_at(first, "status"), "completed") << first;
  EXPECT_EQ(statuses(first)["b"], "completed");
  EXPECT_EQ(statuses(first)["t"], "skipped");
  EXPECT_EQ(first.at("output"), json::parse(R"({"ticket":"refund"})")) << "a router passes its input";
  auto second = api_.wait_terminal(api_.start(flow, R"({"ticket":"crash"})"));
  EXPECT_EQ(statuses(second)["t"], "completed") << second;
  auto third = api_.wait_terminal(api_.start(flow, R"({"ticket":"rain"})"));
  EXPECT_EQ(statuses(third)["o"], "completed") << "an unknown name takes the default: " << third;
  EXPECT_EQ(statuses(third)["b"], "skipped");
  EXPECT_EQ(api_.list_all("/api/decisions").size(), 3u) << "each classification is a decision";
}

TEST_F(ai_nodes, without_a_default_an_unknown_answer_fails_and_a_stored_block_classifies_too) {
  auto flow = router_flow(inline_classifier(), false);
  ASSERT_EQ(mock_->script(R"([{"text":"weather"}])").status, 200);
  auto failed = api_.wait_terminal(api_.start(flow, "{}"));
  ASSERT_EQ(string_at(failed, "status"), "failed") << failed;
  EXPECT_NE(string_at(failed, "error").find("no route matched"), std::string::npos) << failed;

  auto block = api_.post("/api/blocks", R"({"name":"team","type":"ai-block","config":{
    "connectionId":")" + connection_ + R"(","model":"m","goal":"Name the team."}})");
  ASSERT_EQ(block.status, 201) << block.body;
  auto stored = router_flow(R"({"blockId":")" + string_at(block.json(), "id") + "\"}", false);
  ASSERT_FALSE(stored.empty());
  ASSERT_EQ(mock_->script(R"([{"text":"tech"}])").status, 200);
  auto done = api_.wait_terminal(api_.start(stored, "{}"));
  ASSERT_EQ(string_at(done, "status"), "completed") << done;
  EXPECT_EQ(statuses(done)["t"], "completed");
  auto decisions = api_.list_all("/api/decisions?blockId=" + string_at(block.json(), "id"));
  EXPECT_EQ(decisions.size(), 1u) << "the stored classifier's decisions name its block";

  auto bad = api_.post("/api/flows", R"({"name":"bad","nodes":[{"id":"in","type":"source"},
    {"id":"pick","type":"router","data":{"classifier":{"type":"function-block","code":"."},
    "routes":[{"name":"a"}]}},{"id":"a","type":"sink"}],
    "edges":[{"source":"in","target":"pick"},{"source":"pick","target":"a","sourceHandle":"a"}]})");
  EXPECT_EQ(bad.status, 400) << bad.body;
  EXPECT_NE(bad.body.find("classifier"), std::string::npos) << bad.body;
}

} // namespace
} // namespace baley::testing
