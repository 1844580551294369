// Tests for runtime/retry_policy: parsing data.retry, exponential backoff with
// its cap and full jitter, Retry-After, and the retry budget.
#include "runtime/resilience/retry_policy.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <string>

namespace baley::runtime {
namespace {

namespace json = boost::json;

retry_policy parsed(std::string_view text) {
  auto policy = parse_retry_policy(json::parse(text));
  EXPECT_TRUE(policy) << text << ": " << (policy ? "" : policy.error().message);
  return policy ? *policy : retry_policy{};
}

std::string parse_error(std::string_view text) {
  auto policy = parse_retry_policy(json::parse(text));
  EXPECT_FALSE(policy) << text;
  if (policy)
    return {};
  EXPECT_EQ(policy.error().code, "invalid_flow");
  return policy.error().message;
}

constexpr double almost_one = 0.999999999;

TEST(retry_policy, defaults) {
  for (auto text : {"null", "{}"}) {
    auto p = parsed(text);
    EXPECT_EQ(p.max_retries, 0u);
    EXPECT_EQ(p.initial_delay_ms, 200);
    EXPECT_EQ(p.max_delay_ms, 10'000);
    EXPECT_EQ(p.multiplier, 2.0);
  }
}

TEST(retry_policy, overrides) {
  auto p = parsed(R"({"maxRetries":3,"initialDelayMs":50,"maxDelayMs":400,"multiplier":3})");
  EXPECT_EQ(p.max_retries, 3u);
  EXPECT_EQ(p.initial_delay_ms, 50);
  EXPECT_EQ(p.max_delay_ms, 400);
  EXPECT_EQ(p.multiplier, 3.0);
  auto partial = parsed(R"({"maxRetries":1})");
  EXPECT_EQ(partial.max_retries, 1u);
  EXPECT_EQ(partial.initial_delay_ms, 200);
}

TEST(retry_policy, parse_errors) {
  EXPECT_EQ(parse_error("3"), "retry must be an object");
  EXPECT_EQ(parse_error(R"({"maxRetries":-1})"), "retry.maxRetries must be an integer from 0 to 100");
  EXPECT_EQ(parse_error(R"({"maxRetries":2.5})"), "retry.maxRetries must be an integer from 0 to 100");
  EXPECT_EQ(parse_error(R"({"maxRetries":101})"), "retry.maxRetries must be an integer from 0 to 100");
  EXPECT_EQ(parse_error(R"({"initialDelayMs":"fast"})"),
            "retry.initialDelayMs must be an integer from 0 to 86400000 (milliseconds)");
  EXPECT_EQ(parse_error(R"({"initialDelayMs":1e300})"),
            "retry.initialDelayMs must be an integer from 0 to 86400000 (milliseconds)");
  EXPECT_EQ(parse_error(R"({"maxDelayMs":null})"),
            "retry.maxDelayMs must be an integer from 0 to 86400000 (milliseconds)");
  EXPECT_EQ(parse_error(R"({"multiplier":0.5})"), "retry.multiplier must be a number from 1 to 100");
  EXPECT_EQ(parse_error(R"({"multiplier":"2"})"), "retry.multiplier must be a number from 1 to 100");
  EXPECT_EQ(parse_error(R"({"multiplier":1000})"), "retry.multiplier must be a number from 1 to 100");
}

TEST(retry_policy, whole_numbers_written_as_decimals_are_whole_numbers) {
  auto p = parsed(R"({"maxRetries":3.0,"initialDelayMs":5e2,"maxDelayMs":86400000})");
  EXPECT_EQ(p.max_retries, 3u);
  EXPECT_EQ(p.initial_delay_ms, 500);
  EXPECT_EQ(p.max_delay_ms, 86'400'000);
}

TEST(retry_policy, ceiling_grows_exponentially) {
  retry_policy p{5, 100, 1'000'000, 2.0};
  EXPECT_EQ(backoff_delay_ms(p, 1, 1.0), 100);
  EXPECT_EQ(backoff_delay_ms(p, 2, 1.0), 200);
  EXPECT_EQ(backoff_delay_ms(p, 3, 1.0), 400);
  EXPECT_EQ(backoff_delay_ms(p, 5, 1.0), 1600);
  retry_policy triple{5, 10, 1'000'000, 3.0};
  EXPECT_EQ(backoff_delay_ms(triple, 4, 1.0), 270);
  retry_policy flat{5, 300, 1'000'000, 1.0};
  EXPECT_EQ(backoff_delay_ms(flat, 9, 1.0), 300);
}

TEST(retry_policy, ceiling_is_capped_at_max_delay) {
  retry_policy p{100, 100, 1000, 2.0};
  EXPECT_EQ(backoff_delay_ms(p, 4, 1.0), 800);
  EXPECT_EQ(backoff_delay_ms(p, 5, 1.0), 1000);
  EXPECT_EQ(backoff_delay_ms(p, 100, 1.0), 1000);
  EXPECT_LE(backoff_delay_ms(p, 100, almost_one), 1000);
}

TEST(retry_policy, full_jitter_bounds) {
  retry_policy p{5, 100, 10'000, 2.0};
  for (std::uint32_t failures = 1; failures <= 5; ++failures) {
    std::int64_t ceiling = 100LL << (failures - 1);
    EXPECT_EQ(backoff_delay_ms(p, failures, 0.0), 0);
    EXPECT_EQ(backoff_delay_ms(p, failures, 0.5), ceiling / 2);
    auto top = backoff_delay_ms(p, failures, almost_one);
    EXPECT_LE(top, ceiling);
    EXPECT_GE(top, ceiling - 1);
  }
  // random01 outside [0,1) is clamped, never beyond the ceiling or negative.
  EXPECT_EQ(backoff_delay_ms(p, 1, 7.0), 100);
  EXPECT_EQ(backoff_delay_ms(p, 1, -1.0), 0);
}

TEST(retry_policy, retry_after_replaces_the_backoff_and_is_capped) {
  retry_policy p{5, 100, 5000, 2.0};
  EXPECT_EQ(backoff_delay_ms(p, 1, 0.0, 3000), 3000);
  EXPECT_EQ(backoff_delay_ms(p, 1, 0.9, 0), 0);
  EXPECT_EQ(backoff_delay_ms(p, 3, 0.5, 60'000), 5000);
  EXPECT_EQ(backoff_delay_ms(p, 1, 0.5, -10), 0);
}

TEST(retry_policy, should_retry_spends_the_budget) {
  retry_policy p{2, 100, 1000, 2.0};
  EXPECT_TRUE(should_retry(p, 1, true));
  EXPECT_TRUE(should_retry(p, 2, true));
  EXPECT_FALSE(should_retry(p, 3, true));
  EXPECT_FALSE(should_retry(p, 1, false));
  EXPECT_FALSE(should_retry(retry_policy{}, 1, true));
}

} // namespace
} // namespace baley::runtime
