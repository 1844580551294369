// Tests of the raw RocksDB baseline used by the append bench: it runs, counts
// and refuses nonsense arguments (its speed is measured by `baley bench`).
#include "storage/raw_baseline.hpp"

#include "temp_dir.hpp"

#include <gtest/gtest.h>

namespace baley::storage {
namespace {

TEST(raw_baseline, reports_a_rate_for_a_small_run) {
  testing::temp_dir dir;
  auto rate = run_raw_baseline({dir.path() + "/raw", 4, 1000, 64, durability::buffered});
  ASSERT_TRUE(rate) << rate.error().message;
  EXPECT_GT(*rate, 0.0);
}

TEST(raw_baseline, refuses_zero_writers) {
  testing::temp_dir dir;
  auto rate = run_raw_baseline({dir.path(), 0, 10, 64, durability::buffered});
  ASSERT_FALSE(rate);
  EXPECT_EQ(rate.error().code, "invalid_argument");
}

} // namespace
} // namespace baley::storage
