// Tests for runtime/token_bucket: a full bucket at creation, burst, refusal
// with the wait until one token is back, refill with injected time.
#include "runtime/resilience/token_bucket.hpp"

#include <gtest/gtest.h>

namespace baley::runtime {
namespace {

constexpr unix_ms t0 = 1'732'802'587'000;

// Takes `count` tokens at `now`; how many were allowed.
int take_many(token_bucket& bucket, int count, unix_ms now) {
  int allowed = 0;
  for (int i = 0; i < count; ++i)
    allowed += bucket.take(now).allowed ? 1 : 0;
  return allowed;
}

TEST(token_bucket, starts_full_and_allows_the_whole_burst_at_once) {
  token_bucket bucket(10, 20, t0);
  EXPECT_EQ(bucket.tokens(), 20.0);
  EXPECT_EQ(take_many(bucket, 20, t0), 20);
  EXPECT_EQ(bucket.tokens(), 0.0);
  auto refused = bucket.take(t0);
  EXPECT_FALSE(refused.allowed);
  EXPECT_EQ(refused.retry_after_ms, 100);  // one token at 10/s
}

TEST(token_bucket, an_allowed_take_has_no_retry_after) {
  token_bucket bucket(1, 1, t0);
  auto first = bucket.take(t0);
  EXPECT_TRUE(first.allowed);
  EXPECT_EQ(first.retry_after_ms, 0);
}

TEST(token_bucket, refusal_says_how_long_until_one_token_is_back) {
  token_bucket bucket(2, 3, t0);
  EXPECT_EQ(take_many(bucket, 3, t0), 3);
  EXPECT_EQ(bucket.take(t0).retry_after_ms, 500);
  // A quarter second later half a token is back: a quarter second to go.
  auto later = bucket.take(t0 + 250);
  EXPECT_FALSE(later.allowed);
  EXPECT_EQ(later.retry_after_ms, 250);
  EXPECT_EQ(bucket.tokens(), 0.5);
  // The wait is rounded up to a whole millisecond.
  token_bucket slow(3, 1, t0);
  EXPECT_TRUE(slow.take(t0).allowed);
  EXPECT_EQ(slow.take(t0).retry_after_ms, 334);  // 333.33 ms
}

TEST(token_bucket, refills_at_the_rate_with_injected_time) {
  token_bucket bucket(2, 3, t0);
  EXPECT_EQ(take_many(bucket, 3, t0), 3);
  EXPECT_TRUE(bucket.take(t0 + 500).allowed);
  EXPECT_FALSE(bucket.take(t0 + 500).allowed);
  EXPECT_EQ(take_many(bucket, 5, t0 + 1500), 2);
  token_bucket early(2, 3, t0);
  EXPECT_EQ(take_many(early, 3, t0), 3);
  EXPECT_FALSE(early.take(t0 + 499).allowed);
}

TEST(token_bucket, refill_stops_at_the_burst) {
  token_bucket bucket(10, 4, t0);
  EXPECT_EQ(take_many(bucket, 4, t0), 4);
  EXPECT_TRUE(bucket.take(t0 + 3'600'000).allowed);
  EXPECT_EQ(bucket.tokens(), 3.0);
  EXPECT_EQ(take_many(bucket, 10, t0 + 3'600'000), 3);
}

TEST(token_bucket, time_going_backwards_adds_nothing) {
  token_bucket bucket(1, 2, t0);
  EXPECT_EQ(take_many(bucket, 2, t0), 2);
  EXPECT_FALSE(bucket.take(t0 - 60'000).allowed);
  EXPECT_EQ(bucket.tokens(), 0.0);
  // The earlier moment did not move the clock back: refill counts from t0.
  EXPECT_TRUE(bucket.take(t0 + 1000).allowed);
}

TEST(token_bucket, burst_below_one_is_one_and_negative_rate_is_zero) {
  token_bucket tiny(5, 0.2, t0);
  EXPECT_EQ(tiny.tokens(), 1.0);
  EXPECT_TRUE(tiny.take(t0).allowed);
  EXPECT_FALSE(tiny.take(t0).allowed);
  token_bucket stuck(-3, 2, t0);
  EXPECT_EQ(take_many(stuck, 2, t0), 2);
  auto refused = stuck.take(t0 + 86'400'000);
  EXPECT_FALSE(refused.allowed);
  EXPECT_EQ(refused.retry_after_ms, 60'000);  // no rate: ask again in a minute
}

TEST(token_bucket, fractional_rates_accumulate) {
  token_bucket bucket(0.5, 1, t0);
  EXPECT_TRUE(bucket.take(t0).allowed);
  EXPECT_EQ(bucket.take(t0).retry_after_ms, 2000);
  EXPECT_FALSE(bucket.take(t0 + 1000).allowed);
  EXPECT_TRUE(bucket.take(t0 + 2000).allowed);
}

} // namespace
} // namespace baley::runtime
