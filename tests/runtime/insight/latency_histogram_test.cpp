// Tests for runtime/insight/latency_histogram: exact bins below 1,024 ms,
// bins within 1/64 above, nearest-rank percentiles, merging and stored JSON.
#include "runtime/insight/latency_histogram.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <cstdint>
#include <limits>
#include <vector>

namespace baley::runtime {
namespace {

namespace json = boost::json;

latency_histogram of(std::int64_t from, std::int64_t to) {
  latency_histogram h;
  for (auto v = from; v <= to; ++v)
    h.add(v);
  return h;
}

TEST(latency_histogram, an_empty_histogram_has_no_percentile) {
  latency_histogram h;
  EXPECT_EQ(h.count(), 0u);
  EXPECT_FALSE(h.percentile(50));
  EXPECT_FALSE(h.percentile(100));
  EXPECT_TRUE(h.to_json().empty());
}

TEST(latency_histogram, nearest_rank_on_one_to_one_hundred) {
  auto h = of(1, 100);
  EXPECT_EQ(h.count(), 100u);
  EXPECT_EQ(h.percentile(50), 50);
  EXPECT_EQ(h.percentile(95), 95);
  EXPECT_EQ(h.percentile(99), 99);
  EXPECT_EQ(h.percentile(100), 100);
  EXPECT_EQ(h.percentile(1), 1);
  EXPECT_EQ(h.percentile(0.5), 1);  // rank 0.5 rounds up to the first
}

TEST(latency_histogram, nearest_rank_on_small_sets) {
  latency_histogram one;
  one.add(7);
  EXPECT_EQ(one.percentile(1), 7);
  EXPECT_EQ(one.percentile(50), 7);
  EXPECT_EQ(one.percentile(99), 7);

  // 10, 20, 30, 40: p50 is the 2nd, p95 and p99 the 4th, p25 the 1st.
  latency_histogram four;
  for (int v : {40, 10, 30, 20})
    four.add(v);
  EXPECT_EQ(four.percentile(25), 10);
  EXPECT_EQ(four.percentile(50), 20);
  EXPECT_EQ(four.percentile(51), 30);
  EXPECT_EQ(four.percentile(95), 40);
  EXPECT_EQ(four.percentile(99), 40);

  // Repeated values: 5 ×3 and 900 ×1.
  latency_histogram repeated;
  repeated.add(5, 3);
  repeated.add(900);
  EXPECT_EQ(repeated.count(), 4u);
  EXPECT_EQ(repeated.percentile(75), 5);
  EXPECT_EQ(repeated.percentile(76), 900);
}

TEST(latency_histogram, p50_p95_p99_are_exact_nearest_rank_below_1024) {
  // For n values 1..n the nearest-rank p-th percentile is ceil(p * n / 100).
  for (std::int64_t n = 1; n <= 1000; ++n) {
    auto h = of(1, n);
    for (int p : {50, 95, 99}) {
      auto expected = (p * n + 99) / 100;
      EXPECT_EQ(h.percentile(p), expected) << "p" << p << " of 1.." << n;
    }
  }
}

// The header promises the nearest rank for any p in (0, 100]: the p-th
// percentile of 1..100 is p itself.
TEST(latency_histogram, every_whole_percentile_of_one_to_one_hundred_is_exact) {
  auto h = of(1, 100);
  for (int p = 1; p <= 100; ++p)
    EXPECT_EQ(h.percentile(p), p) << "p" << p;
}

TEST(latency_histogram, below_1024_every_millisecond_has_its_own_bin) {
  for (std::int64_t v = 0; v < 1024; ++v) {
    EXPECT_EQ(latency_histogram::bin_of(v), static_cast<std::uint32_t>(v));
    EXPECT_EQ(latency_histogram::lower_bound_of(static_cast<std::uint32_t>(v)), v);
  }
  EXPECT_EQ(latency_histogram::bin_of(1024), 1024u);
  EXPECT_EQ(latency_histogram::lower_bound_of(1024), 1024);
}

TEST(latency_histogram, negative_latency_counts_as_zero) {
  EXPECT_EQ(latency_histogram::bin_of(-1), 0u);
  EXPECT_EQ(latency_histogram::bin_of(std::numeric_limits<std::int64_t>::min()), 0u);
  latency_histogram h;
  h.add(-250);
  EXPECT_EQ(h.count(), 1u);
  EXPECT_EQ(h.percentile(50), 0);
  EXPECT_EQ(json::serialize(h.to_json()), "[[0,1]]");
}

TEST(latency_histogram, adding_zero_observations_changes_nothing) {
  latency_histogram h;
  h.add(10, 0);
  EXPECT_EQ(h.count(), 0u);
  EXPECT_TRUE(h.to_json().empty());
}

// lower_bound_of(bin_of(v)) <= v < lower_bound_of(bin_of(v) + 1), and the
// lower bound is within 1/64 of v.
void expect_consistent(std::int64_t v) {
  auto bin = latency_histogram::bin_of(v);
  auto low = latency_histogram::lower_bound_of(bin);
  auto next = latency_histogram::lower_bound_of(bin + 1);
  EXPECT_LE(low, v) << v;
  EXPECT_LT(v, next) << v;
  EXPECT_LE(v - low, v / 64) << v;  // (v - low) / v <= 1/64
  EXPECT_EQ(latency_histogram::bin_of(low), bin) << v;
}

TEST(latency_histogram, above_1024_bins_are_within_one_64th_and_consistent) {
  for (std::int64_t v = 1000; v <= 70'000; ++v)
    expect_consistent(v);
  // Powers of two and their neighbours up to 2^40, then a spread up to 1e9.
  for (int shift = 10; shift <= 40; ++shift) {
    auto p = std::int64_t{1} << shift;
    for (auto v : {p - 1, p, p + 1})
      expect_consistent(v);
  }
  std::uint64_t state = 88172645463325252ull;  // xorshift64: fixed sequence
  for (int i = 0; i < 200'000; ++i) {
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    expect_consistent(1024 + static_cast<std::int64_t>(state % 999'998'977ull));
  }
  expect_consistent(1'000'000'000);
  // The largest latency still has a lower bound within 1/64 below it.
  auto max = std::numeric_limits<std::int64_t>::max();
  auto low = latency_histogram::lower_bound_of(latency_histogram::bin_of(max));
  EXPECT_LE(low, max);
  EXPECT_LE(max - low, max / 64);
}

TEST(latency_histogram, bins_are_ordered_like_latencies) {
  std::uint32_t last = 0;
  for (std::int64_t v = 0; v <= 5'000'000; v += 997) {
    auto bin = latency_histogram::bin_of(v);
    EXPECT_GE(bin, last) << v;
    last = bin;
  }
}

TEST(latency_histogram, percentiles_above_1024_are_the_bins_lower_bound) {
  latency_histogram h;
  h.add(5000);
  auto p50 = h.percentile(50);
  ASSERT_TRUE(p50);
  EXPECT_LE(*p50, 5000);
  EXPECT_GE(*p50, 5000 - 5000 / 64);
  EXPECT_EQ(*p50, latency_histogram::lower_bound_of(latency_histogram::bin_of(5000)));
}

TEST(latency_histogram, merge_adds_counts) {
  latency_histogram a;
  a.add(10, 2);
  a.add(2000);
  latency_histogram b;
  b.add(10);
  b.add(30, 4);
  a.merge(b);
  EXPECT_EQ(a.count(), 8u);
  auto bin2000 = latency_histogram::bin_of(2000);
  EXPECT_EQ(json::serialize(a.to_json()),
            "[[10,3],[30,4],[" + std::to_string(bin2000) + ",1]]");
  // Merging an empty histogram, or into one, changes nothing else.
  latency_histogram empty;
  a.merge(empty);
  EXPECT_EQ(a.count(), 8u);
  empty.merge(b);
  EXPECT_EQ(json::serialize(empty.to_json()), json::serialize(b.to_json()));
  EXPECT_EQ(empty.count(), b.count());
}

TEST(latency_histogram, merged_percentiles_are_those_of_all_observations) {
  auto low = of(1, 50);
  auto high = of(51, 100);
  low.merge(high);
  EXPECT_EQ(low.percentile(50), 50);
  EXPECT_EQ(low.percentile(99), 99);
}

TEST(latency_histogram, json_round_trip) {
  latency_histogram h;
  h.add(0);
  h.add(3, 2);
  h.add(1023);
  h.add(1024);
  h.add(123'456'789, 7);
  auto text = json::serialize(h.to_json());
  auto back = latency_histogram::from_json(json::parse(text));
  EXPECT_EQ(json::serialize(back.to_json()), text);
  EXPECT_EQ(back.count(), h.count());
  for (double p : {1.0, 25.0, 50.0, 95.0, 99.0, 100.0})
    EXPECT_EQ(back.percentile(p), h.percentile(p)) << p;
  EXPECT_EQ(json::serialize(h.to_json()).substr(0, 19), "[[0,1],[3,2],[1023,");
}

TEST(latency_histogram, from_json_ignores_malformed_entries) {
  auto h = latency_histogram::from_json(json::parse(
    R"([[5,2],"x",[1],[1,2,3],[-1,4],[7,0],[8,-3],[9,1.5],["10",1],[11,"1"],)"
    R"(null,{"bin":12},[2.0,3]])"));
  EXPECT_EQ(json::serialize(h.to_json()), "[[2,3],[5,2]]");
  EXPECT_EQ(h.count(), 5u);
}

TEST(latency_histogram, from_json_of_a_non_array_is_empty) {
  for (auto text : {"null", "{}", "\"[[1,1]]\"", "3"}) {
    auto h = latency_histogram::from_json(json::parse(text));
    EXPECT_EQ(h.count(), 0u) << text;
    EXPECT_FALSE(h.percentile(50)) << text;
  }
}

TEST(latency_histogram, from_json_adds_up_a_repeated_bin) {
  auto h = latency_histogram::from_json(json::parse("[[4,1],[4,2]]"));
  EXPECT_EQ(h.count(), 3u);
  EXPECT_EQ(json::serialize(h.to_json()), "[[4,3]]");
}

// No latency falls in a bin past bin_of(INT64_MAX); lower_bound_of such a bin
// shifts by 64 or more (undefined), so stored entries naming one are malformed.
TEST(latency_histogram, from_json_ignores_bins_no_latency_maps_to) {
  auto last = latency_histogram::bin_of(std::numeric_limits<std::int64_t>::max());
  EXPECT_EQ(last, 4415u);
  auto h = latency_histogram::from_json(
    json::parse("[[4415,1],[4416,1],[5000,1],[1048576,1]]"));
  EXPECT_EQ(json::serialize(h.to_json()), "[[4415,1]]");
  EXPECT_EQ(h.count(), 1u);
}

} // namespace
} // namespace baley::runtime
