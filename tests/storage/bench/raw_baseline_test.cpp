// Tests of the raw RocksDB baseline used by the append bench: it runs, counts
// and refuses nonsense arguments (its speed is measured by `baley bench`).
#include "storage/bench/raw_baseline.hpp"

#include "tests/storage/temp_dir.hpp"

#include <gtest/gtest.h>

namespace baley::storage {
namespace {

TEST(raw_baseline, writes_every_put_and_reports_a_rate) {
  testing::temp_dir dir;
  auto figures = run_raw_baseline({dir.path() + "/raw", 4, 1003, 64, durability::buffered});
  ASSERT_TRUE(figures) << figures.error().message;
  EXPECT_EQ(figures->stored, 1003u) << "4 writers share 1003 puts, none lost or doubled";
  EXPECT_GT(figures->events_per_s, 0.0);
}

TEST(raw_baseline, refuses_zero_writers) {
  testing::temp_dir dir;
  auto rate = run_raw_baseline({dir.path(), 0, 10, 64, durability::buffered});
  ASSERT_FALSE(rate);
  EXPECT_EQ(rate.error().code, "invalid_argument");
}

} // namespace
} // namespace baley::storage
