// The supervisor's retry policy seen from outside: every failed attempt that
// is retried is a node_retry, the final failure one node_error.
#include "run_flow.hpp"

#include <gtest/gtest.h>

namespace baley::testing {
namespace {
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

} // namespace
} // namespace baley::testing
