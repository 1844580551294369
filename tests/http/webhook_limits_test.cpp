// Tests of the webhook trigger's rate limit: a token bucket per flow with the
// webhook's rate and burst, kept until the webhook changes (forget).
#include "http/webhook_limits.hpp"

#include <gtest/gtest.h>

#include <string>

namespace baley::http {
namespace {

constexpr unix_ms t0 = 1'700'000'000'000;

runtime::webhook_record hook(std::string flow_id, double rate, double burst) {
  runtime::webhook_record h;
  h.flow_id = std::move(flow_id);
  h.workspace_id = "ws1";
  h.rate_per_second = rate;
  h.burst = burst;
  return h;
}

// How many calls at `now` are let through before the first refusal.
int allowed_now(webhook_limits& limits, const runtime::webhook_record& h, unix_ms now) {
  int n = 0;
  while (limits.take(h, now).allowed && n < 1000)
    ++n;
  return n;
}

TEST(webhook_limits, the_default_webhook_takes_a_burst_of_20_then_refuses_for_100_ms) {
  webhook_limits limits;
  runtime::webhook_record h;
  h.flow_id = "f1";
  EXPECT_EQ(h.rate_per_second, 10);
  EXPECT_EQ(h.burst, 20);
  for (int i = 0; i < 20; ++i) {
    auto d = limits.take(h, t0);
    EXPECT_TRUE(d.allowed) << i;
    EXPECT_EQ(d.retry_after_ms, 0) << i;
  }
  auto refused = limits.take(h, t0);
  EXPECT_FALSE(refused.allowed);
  EXPECT_EQ(refused.retry_after_ms, 100);  // one token at 10/s
}

TEST(webhook_limits, tokens_come_back_at_the_webhook_rate) {
  webhook_limits limits;
  auto h = hook("f1", 2, 3);
  EXPECT_EQ(allowed_now(limits, h, t0), 3);
  auto refused = limits.take(h, t0 + 100);
  EXPECT_FALSE(refused.allowed);
  EXPECT_EQ(refused.retry_after_ms, 400);  // 0.2 of a token back, 0.8 to go at 2/s
  EXPECT_TRUE(limits.take(h, t0 + 500).allowed);
  EXPECT_FALSE(limits.take(h, t0 + 500).allowed);
  // Never more than the burst, however long the flow was quiet.
  EXPECT_EQ(allowed_now(limits, h, t0 + 3'600'000), 3);
}

TEST(webhook_limits, each_flow_has_its_own_bucket) {
  webhook_limits limits;
  auto a = hook("a", 1, 2);
  auto b = hook("b", 1, 5);
  EXPECT_EQ(allowed_now(limits, a, t0), 2);
  EXPECT_EQ(allowed_now(limits, b, t0), 5);
  EXPECT_FALSE(limits.take(a, t0).allowed);
}

TEST(webhook_limits, a_bucket_keeps_its_settings_until_the_flow_is_forgotten) {
  webhook_limits limits;
  EXPECT_EQ(allowed_now(limits, hook("f1", 1, 2), t0), 2);
  // The webhook now allows more, but the bucket was made with the old burst.
  auto wider = hook("f1", 1, 10);
  EXPECT_FALSE(limits.take(wider, t0).allowed);
  limits.forget("f1");
  EXPECT_EQ(allowed_now(limits, wider, t0), 10);
}

TEST(webhook_limits, forgetting_a_flow_refills_only_that_flow) {
  webhook_limits limits;
  auto a = hook("a", 1, 1);
  auto b = hook("b", 1, 1);
  EXPECT_TRUE(limits.take(a, t0).allowed);
  EXPECT_TRUE(limits.take(b, t0).allowed);
  limits.forget("a");
  limits.forget("unknown");
  EXPECT_TRUE(limits.take(a, t0).allowed);
  EXPECT_FALSE(limits.take(b, t0).allowed);
}

TEST(webhook_limits, a_zero_rate_allows_the_burst_then_refuses_for_a_minute) {
  webhook_limits limits;
  auto h = hook("f1", 0, 2);
  EXPECT_EQ(allowed_now(limits, h, t0), 2);
  auto refused = limits.take(h, t0 + 86'400'000);
  EXPECT_FALSE(refused.allowed);
  EXPECT_EQ(refused.retry_after_ms, 60'000);
}

TEST(webhook_limits, a_burst_below_one_still_lets_one_call_through) {
  webhook_limits limits;
  auto h = hook("f1", 1, 0);
  EXPECT_EQ(allowed_now(limits, h, t0), 1);
  EXPECT_EQ(limits.take(h, t0).retry_after_ms, 1000);
}

TEST(webhook_limits, time_going_backwards_refills_nothing) {
  webhook_limits limits;
  auto h = hook("f1", 10, 1);
  EXPECT_TRUE(limits.take(h, t0).allowed);
  EXPECT_FALSE(limits.take(h, t0 - 10'000).allowed);
  auto half = limits.take(h, t0 + 50);
  EXPECT_FALSE(half.allowed);
  EXPECT_EQ(half.retry_after_ms, 50);
  EXPECT_TRUE(limits.take(h, t0 + 100).allowed);
}

} // namespace
} // namespace baley::http
