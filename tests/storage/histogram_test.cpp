// Tests of histogram_recorder: Prometheus `le` buckets (a value on a bound
// counts in that bound's bucket), cumulative counts, +Inf, count and sum.
#include "storage/histogram.hpp"

#include <gtest/gtest.h>

namespace baley::storage {
namespace {

TEST(histogram, counts_each_value_in_the_first_bucket_whose_bound_holds_it) {
  histogram_recorder<batch_events_bounds.size()> h(batch_events_bounds);
  for (double v : {0.0, 1.0, 2.0, 3.0, 4.0, 256.0, 257.0, 100000.0})
    h.observe(v);
  auto s = h.snapshot();
  EXPECT_EQ(s.le, batch_events_bounds);
  // le:            1  2  4  8 16 32 64 128 256 +Inf
  std::array<std::uint64_t, 10> expected{2, 3, 5, 5, 5, 5, 5, 5, 6, 8};
  EXPECT_EQ(s.cumulative, expected);
  EXPECT_EQ(s.count, 8u);
  EXPECT_DOUBLE_EQ(s.sum, 0 + 1 + 2 + 3 + 4 + 256 + 257 + 100000);
}

TEST(histogram, commit_seconds_buckets_span_100us_to_1s) {
  histogram_recorder<commit_seconds_bounds.size()> h(commit_seconds_bounds);
  auto empty = h.snapshot();
  EXPECT_EQ(empty.count, 0u);
  EXPECT_EQ(empty.cumulative.back(), 0u);
  EXPECT_EQ(empty.sum, 0.0);

  h.observe(0.00005);  // le 0.0001
  h.observe(0.0001);   // le 0.0001
  h.observe(0.0003);   // le 0.0005
  h.observe(0.02);     // le 0.025
  h.observe(1.0);      // le 1
  h.observe(3.5);      // +Inf
  auto s = h.snapshot();
  EXPECT_EQ(s.le.front(), 0.0001);
  EXPECT_EQ(s.le.back(), 1.0);
  EXPECT_EQ(s.cumulative[0], 2u);   // 0.0001
  EXPECT_EQ(s.cumulative[1], 2u);   // 0.00025
  EXPECT_EQ(s.cumulative[2], 3u);   // 0.0005
  EXPECT_EQ(s.cumulative[6], 3u);   // 0.01
  EXPECT_EQ(s.cumulative[7], 4u);   // 0.025
  EXPECT_EQ(s.cumulative[12], 5u);  // 1
  EXPECT_EQ(s.cumulative[13], 6u);  // +Inf
  EXPECT_EQ(s.count, 6u);
  EXPECT_NEAR(s.sum, 4.52045, 1e-12);
}

} // namespace
} // namespace baley::storage
