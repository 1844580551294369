// Patterns through the API (API.md, "Patterns"): stats over the block's
// existing decisions on create and on update, every new decision matched as
// it commits, exact counts of matched, agreed and disagreed, the bad input
// that changes nothing, and a decision made while the matcher could not run
// matched after a SIGKILL, once.
#include "api_client.hpp"
#include "deadline.hpp"
#include "process.hpp"
#include "server_process.hpp"

#include <gtest/gtest.h>

#include <csignal>
#include <thread>

namespace baley::testing {
namespace {
namespace json = boost::json;
using namespace std::chrono_literals;

class patterns : public ::testing::Test {
protected:
  patterns() : server_({"--durability", "buffered", "--jq-workers", "1"}) {}

  void SetUp() override {
    ASSERT_TRUE(server_.start()) << server_.diagnostics();
    api_ = server_.admin();
    auto connection = api_.create_simulated_connection("sim", 0);
    ASSERT_FALSE(connection.empty());
    // With an output schema the simulated model answers its input, so each
    // decision's output is known: it equals its input.
    auto block = api_.post("/api/blocks", R"({"name":"triage","type":"ai-block","config":{
      "connectionId":")" + connection + R"(","model":"sim-1","goal":"Triage.",
      "outputSchema":{"type":"object"}}})");
    ASSERT_EQ(block.status, 201) << block.body;
    block_ = string_at(block.json(), "id");
    flow_ = api_.create_flow(R"({"name":"triage","nodes":[{"id":"in","type":"source"},
      {"id":"ask","type":"ai-block","data":{"blockId":")" + block_ + R"("}},
      {"id":"out","type":"sink"}],"edges":[{"source":"in","target":"ask"},{"source":"ask","target":"out"}]})");
    ASSERT_FALSE(flow_.empty());
  }

  void decide(const std::string& input) {
    auto done = api_.wait_terminal(api_.start(flow_, input));
    ASSERT_EQ(string_at(done, "status"), "completed") << done;
  }

  std::string pattern_body(const std::string& condition, const std::string& outcome,
                           const std::string& name = "billing") {
    return R"({"name":")" + name + R"(","description":"Billing tickets","blockId":")" + block_
           + R"(","condition":)" + json::serialize(json::value(condition)) + R"(,"outcome":)"
           + outcome + "}";
  }

  json::object create(const std::string& condition, const std::string& outcome) {
    auto r = api_.post("/api/patterns", pattern_body(condition, outcome));
    EXPECT_EQ(r.status, 201) << r.body;
    return r.status == 201 ? r.json().as_object() : json::object{};
  }

  json::object stats_of(const std::string& id) {
    auto r = api_.get("/api/patterns/" + id);
    EXPECT_EQ(r.status, 200) << r.body;
    return r.status == 200 ? r.json().at("stats").as_object() : json::object{};
  }

  // Polls until the pattern has matched `count` decisions (the matcher runs
  // after the decision commits), for at most 10 s.
  json::object stats_once_matched(const std::string& id, std::int64_t count) {
    auto deadline = std::chrono::steady_clock::now() + 10s;
    auto stats = stats_of(id);
    while (stats.at("matched").to_number<std::int64_t>() < count && millis_left(deadline) > 0) {
      std::this_thread::sleep_for(20ms);
      stats = stats_of(id);
    }
    return stats;
  }

  static void expect_counts(const json::object& stats, int matched, int agreed, int disagreed) {
    EXPECT_EQ(stats.at("matched"), matched) << stats;
    EXPECT_EQ(stats.at("agreed"), agreed) << stats;
    EXPECT_EQ(stats.at("disagreed"), disagreed) << stats;
  }

  server_process server_;
  api_client api_;
  std::string block_;
  std::string flow_;
};

TEST_F(patterns, stats_over_existing_decisions_then_every_new_one_as_it_commits) {
  decide(R"({"kind":"billing","n":1})");
  decide(R"({"kind":"billing","n":2})");
  decide(R"({"kind":"bug","n":3})");

  auto created = create(R"(.kind == "billing")", R"({"kind":"billing","n":1})");
  ASSERT_FALSE(created.empty());
  auto id = string_at(created, "id");
  EXPECT_TRUE(is_uuid_v7(id));
  EXPECT_EQ(string_at(created, "name"), "billing");
  EXPECT_EQ(string_at(created, "description"), "Billing tickets");
  EXPECT_EQ(string_at(created, "blockId"), block_);
  EXPECT_EQ(string_at(created, "condition"), R"(.kind == "billing")");
  EXPECT_EQ(created.at("outcome"), json::parse(R"({"kind":"billing","n":1})"));
  EXPECT_TRUE(is_rfc3339_ms(string_at(created, "createdAt")));
  EXPECT_TRUE(is_rfc3339_ms(string_at(created, "updatedAt")));
  expect_counts(created.at("stats").as_object(), 2, 1, 1);
  EXPECT_TRUE(is_rfc3339_ms(string_at(created.at("stats"), "lastMatchedAt")));

  decide(R"({"kind":"billing","n":1})");  // matches and agrees
  decide(R"({"kind":"bug","n":4})");      // does not match
  expect_counts(stats_once_matched(id, 3), 3, 2, 1);

  auto matches = api_.list_all("/api/patterns/" + id + "/matches");
  ASSERT_EQ(matches.size(), 3u) << matches;
  int agreed = 0;
  for (const auto& m : matches) {
    EXPECT_TRUE(is_uuid_v7(string_at(m, "decisionId")));
    EXPECT_TRUE(is_rfc3339_ms(string_at(m, "createdAt")));
    auto d = api_.get("/api/decisions/" + string_at(m, "decisionId"));
    ASSERT_EQ(d.status, 200);
    EXPECT_EQ(string_at(d.json().at("input"), "kind"), "billing");
    agreed += m.at("agreed").as_bool() ? 1 : 0;
    EXPECT_EQ(m.at("agreed").as_bool(),
              d.json().at("output") == json::parse(R"({"kind":"billing","n":1})"));
  }
  EXPECT_EQ(agreed, 2);

  // An update recomputes the stats over every decision with the new rule.
  auto updated = api_.put("/api/patterns/" + id, pattern_body(R"(.n >= 2)", "null", "late"));
  ASSERT_EQ(updated.status, 200) << updated.body;
  EXPECT_EQ(string_at(updated.json(), "name"), "late");
  expect_counts(updated.json().at("stats").as_object(), 3, 0, 3);  // n = 2, 3, 4; null agrees with nothing
  EXPECT_EQ(api_.list_all("/api/patterns/" + id + "/matches").size(), 3u);
  EXPECT_EQ(string_at(updated.json(), "createdAt"), string_at(created, "createdAt"));

  auto list = api_.list_all("/api/patterns?blockId=" + block_);
  ASSERT_EQ(list.size(), 1u);
  EXPECT_EQ(string_at(list[0], "id"), id);
  EXPECT_EQ(api_.list_all("/api/patterns?blockId=other").size(), 0u);

  ASSERT_EQ(api_.del("/api/patterns/" + id).status, 204);
  EXPECT_EQ(api_.get("/api/patterns/" + id).status, 404);
  EXPECT_EQ(api_.get("/api/patterns/" + id + "/matches").status, 404);
  EXPECT_EQ(api_.del("/api/patterns/" + id).status, 404);
  EXPECT_EQ(api_.list_all("/api/patterns").size(), 0u);
}

TEST_F(patterns, a_condition_that_errors_or_answers_no_boolean_matches_nothing) {
  decide(R"({"kind":"billing","n":1})");
  decide(R"({"kind":"bug","n":"two"})");
  // `.n + 1` fails on the string: no match for that decision, no failed scan.
  auto created = create(R"(.n + 1 > 1)", "null");
  expect_counts(created.at("stats").as_object(), 1, 0, 1);
  auto text = create(R"(.kind)", "null");  // a string, not true
  expect_counts(text.at("stats").as_object(), 0, 0, 0);
  EXPECT_TRUE(text.at("stats").at("lastMatchedAt").is_null());
  // A trailing comment ends with its line: the condition stays one expression.
  auto commented = create("true # every decision", "null");
  expect_counts(commented.at("stats").as_object(), 2, 0, 2);
}

TEST_F(patterns, bad_input_is_refused_naming_the_field_and_changes_nothing) {
  auto refused = [this](const std::string& body, const std::string& field) {
    auto r = api_.post("/api/patterns", body);
    EXPECT_EQ(r.status, 400) << body << " -> " << r.body;
    EXPECT_EQ(string_at(r.json(), "code"), "invalid_pattern") << r.body;
    EXPECT_NE(string_at(r.json(), "error").find(field), std::string::npos) << r.body;
  };
  refused(pattern_body(".kind ==", "null"), "condition");
  refused(pattern_body(") | (", "null"), "condition");
  refused(R"({"name":"x","blockId":")" + block_ + R"("})", "condition");
  refused(R"({"name":"x","blockId":"0190aaaa-0000-7000-8000-000000000000","condition":"true"})",
          "blockId");
  refused(R"({"blockId":")" + block_ + R"(","condition":"true"})", "name");
  refused("[1,2]", "JSON object");
  auto function = api_.post("/api/blocks", R"({"name":"f","type":"function-block","config":{"code":"."}})");
  ASSERT_EQ(function.status, 201) << function.body;
  refused(R"({"name":"x","blockId":")" + string_at(function.json(), "id")
            + R"(","condition":"true"})",
          "ai-block");
  EXPECT_EQ(api_.list_all("/api/patterns").size(), 0u);

  // Other workspaces: their blocks are unknown, their patterns 404.
  auto created = create("true", "null");
  auto id = string_at(created, "id");
  auto ws = api_.post("/api/workspaces", R"({"name":"other"})");
  ASSERT_EQ(ws.status, 201) << ws.body;
  auto other = server_.client(string_at(ws.json(), "token"));
  EXPECT_EQ(other.get("/api/patterns/" + id).status, 404);
  EXPECT_EQ(other.get("/api/patterns/" + id + "/matches").status, 404);
  EXPECT_EQ(other.put("/api/patterns/" + id, pattern_body("false", "null")).status, 404);
  EXPECT_EQ(other.del("/api/patterns/" + id).status, 404);
  EXPECT_EQ(other.list_all("/api/patterns").size(), 0u);
  auto foreign = other.post("/api/patterns", pattern_body("true", "null"));
  EXPECT_EQ(foreign.status, 400) << foreign.body;
  EXPECT_EQ(api_.get("/api/patterns/" + id).status, 200);
}

TEST_F(patterns, a_decision_the_matcher_had_not_matched_at_a_sigkill_is_matched_once_after) {
  auto created = create(R"(.kind == "billing")", R"({"kind":"billing"})");
  auto id = string_at(created, "id");
  expect_counts(created.at("stats").as_object(), 0, 0, 0);

  // The sandbox worker is stopped: the decision commits, its match cannot run.
  auto workers = children_of(server_.pid());
  ASSERT_FALSE(workers.empty());
  for (auto pid : workers)
    ASSERT_EQ(::kill(pid, SIGSTOP), 0);
  decide(R"({"kind":"billing"})");
  auto before = api_.get("/api/patterns/" + id);
  ASSERT_EQ(before.status, 200) << server_.diagnostics();
  expect_counts(before.json().at("stats").as_object(), 0, 0, 0);
  server_.kill();

  ASSERT_TRUE(server_.start()) << server_.diagnostics();
  api_ = server_.admin();  // a new port
  expect_counts(stats_once_matched(id, 1), 1, 1, 0);
  decide(R"({"kind":"billing"})");
  expect_counts(stats_once_matched(id, 2), 2, 2, 0);
  // And a restart with nothing queued counts nothing again.
  ASSERT_EQ(server_.stop(), 0);
  ASSERT_TRUE(server_.start()) << server_.diagnostics();
  api_ = server_.admin();
  expect_counts(stats_of(id), 2, 2, 0);
  EXPECT_EQ(api_.list_all("/api/patterns/" + id + "/matches").size(), 2u);
}

} // namespace
} // namespace baley::testing
