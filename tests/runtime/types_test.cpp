// Tests for named_type: stream indexes and global positions keep their
// arithmetic, order and limits while refusing to mix with plain numbers.
#include "runtime/types.hpp"

#include <gtest/gtest.h>

#include <limits>
#include <sstream>
#include <type_traits>

namespace baley {
namespace {

static_assert(!std::is_convertible_v<std::uint64_t, stream_index>,
              "a plain number must say it is an index");
static_assert(!std::is_convertible_v<stream_index, global_position>,
              "an index is not a position");
static_assert(!std::is_convertible_v<stream_index, std::uint64_t>,
              "an index gives its number only through value()");

TEST(named_type, limits_are_those_of_the_value) {
  EXPECT_EQ(std::numeric_limits<stream_index>::max().value(),
            std::numeric_limits<std::uint64_t>::max());
  EXPECT_EQ(std::numeric_limits<global_position>::min().value(), 0u);
  EXPECT_TRUE(std::numeric_limits<stream_index>::is_specialized);
}

TEST(named_type, counts_orders_and_prints_like_its_value) {
  stream_index i{3};
  EXPECT_EQ((i + 2).value(), 5u);
  EXPECT_EQ((i - 1).value(), 2u);
  EXPECT_EQ(stream_index{10} - i, 7u);
  ++i;
  i += 2;
  EXPECT_EQ(i, stream_index{6});
  EXPECT_LT(stream_index{1}, stream_index{2});
  EXPECT_EQ(to_string(global_position{42}), "42");
  std::ostringstream out;
  out << stream_index{7};
  EXPECT_EQ(out.str(), "7");
  EXPECT_EQ(stream_index{}.value(), 0u);
}

} // namespace
} // namespace baley
