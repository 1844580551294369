// The supervisor's retry policy seen from outside: every failed attempt that
// is retried is a node_retry, the final failure one node_error.
#include "ndjson.hpp"
#include "process.hpp"

#include <gtest/gtest.h>

namespace baley::testing {
namespace {
namespace json = boost::json;

std::vector<output_line> run_flow(const std::string& flow, int expected_exit) {
  temp_dir dir;
  write_file(dir.path + "/f.json", flow);
  auto r = run_process(baley({"run", dir.path + "/f.json", "--data", dir.path + "/d"}));
  EXPECT_EQ(r.exit_code, expected_exit) << r.err;
  return parse_lines(r.out);
}

TEST(retry, a_retryable_failure_is_retried_max_retries_times) {
  auto events = run_flow(R"js({"nodes":[{"id":"in","type":"source"},
    {"id":"flaky","type":"function-block","data":{
      "code":"error({message: \"upstream busy\", retryable: true})",
      "retry":{"maxRetries":2,"initialDelayMs":20,"maxDelayMs":50}}},
    {"id":"out","type":"sink"}],
    "edges":[{"source":"in","target":"flaky"},{"source":"flaky","target":"out"}]})js", 1);
  EXPECT_EQ(count(events, "node_start", "flaky"), 3);
  EXPECT_EQ(count(events, "node_retry", "flaky"), 2);
  EXPECT_EQ(count(events, "node_error", "flaky"), 1);
  std::vector<std::int64_t> attempts;
  for (const auto& e : events) {
    if (node_of(e) != "flaky")
      continue;
    if (type_of(e) == "node_retry") {
      attempts.push_back(e.event.at("attempt").as_int64());
      auto delay = e.event.at("delayMs").as_int64();
      EXPECT_GE(delay, 0);
      EXPECT_LE(delay, 50) << "capped at maxDelayMs";
      EXPECT_EQ(e.event.at("error"), "upstream busy");
    }
    if (type_of(e) == "node_error") {
      EXPECT_EQ(e.event.at("attempt"), 3);
      EXPECT_EQ(e.event.at("retryable"), true);
    }
  }
  EXPECT_EQ(attempts, (std::vector<std::int64_t>{2, 3}));
  EXPECT_EQ(type_of(events.back()), "execution_error");
  EXPECT_EQ(events.back().event.at("nodeId"), "flaky");
}

TEST(retry, a_failure_that_is_not_retryable_is_not_retried) {
  auto events = run_flow(R"js({"nodes":[{"id":"in","type":"source"},
    {"id":"bad","type":"function-block","data":{"code":"error(\"broken\")",
      "retry":{"maxRetries":3,"initialDelayMs":10}}},
    {"id":"out","type":"sink"}],
    "edges":[{"source":"in","target":"bad"},{"source":"bad","target":"out"}]})js", 1);
  EXPECT_EQ(count(events, "node_start", "bad"), 1);
  EXPECT_EQ(count(events, "node_retry", "bad"), 0);
  EXPECT_EQ(count(events, "node_skipped", "out"), 0);
}

TEST(retry, a_loop_over_more_items_than_max_iterations_fails_before_running_any) {
  auto events = run_flow(R"js({"nodes":[{"id":"in","type":"source"},
    {"id":"each","type":"loop","data":{"over":"[range(5)]","maxIterations":3,
      "body":{"type":"function-block","code":"."}}},
    {"id":"out","type":"sink"}],
    "edges":[{"source":"in","target":"each"},{"source":"each","target":"out"}]})js", 1);
  EXPECT_EQ(count(events, "node_start", "each"), 1) << "no iteration started";
  EXPECT_NE(std::string(events.back().event.at("error").as_string()).find("maxIterations"),
            std::string::npos);
}

TEST(retry, a_failing_iteration_fails_the_loop_and_names_it) {
  auto events = run_flow(R"js({"nodes":[{"id":"in","type":"source"},
    {"id":"each","type":"loop","data":{"over":"[1,2,0,4]","concurrency":2,
      "body":{"type":"function-block","code":"if . == 0 then error(\"zero\") else 10 / . end"}}},
    {"id":"out","type":"sink"}],
    "edges":[{"source":"in","target":"each"},{"source":"each","target":"out"}]})js", 1);
  auto error = std::string(events.back().event.at("error").as_string());
  EXPECT_NE(error.find("iteration 2"), std::string::npos) << error;
  EXPECT_NE(error.find("zero"), std::string::npos) << error;
}

TEST(retry, loop_results_keep_item_order_whatever_the_concurrency) {
  auto events = run_flow(R"js({"nodes":[{"id":"in","type":"source"},
    {"id":"each","type":"loop","data":{"over":"[range(20)]","concurrency":7,
      "body":{"type":"function-block","code":". * 3"}}},
    {"id":"out","type":"sink"}],
    "edges":[{"source":"in","target":"each"},{"source":"each","target":"out"}]})js", 0);
  json::array want;
  for (int i = 0; i < 20; ++i)
    want.push_back(i * 3);
  EXPECT_EQ(events.back().event.at("output"), json::value(want));
  int max_live = 0, live = 0;
  for (const auto& e : events) {
    if (!e.event.contains("iteration"))
      continue;
    live += type_of(e) == "node_start" ? 1 : type_of(e) == "node_complete" ? -1 : 0;
    max_live = std::max(max_live, live);
  }
  EXPECT_LE(max_live, 7);
}

} // namespace
} // namespace baley::testing
