// Tests of the key layout: bytewise order is (stream, index) and position
// order, and parsing inverts encoding.
#include "storage/keys.hpp"

#include <gtest/gtest.h>

namespace baley::storage {
namespace {

TEST(keys, big_endian_sorts_numerically) {
  EXPECT_LT(global_key(global_position{255}), global_key(global_position{256}));
  EXPECT_LT(global_key(global_position{1}), global_key(global_position{1ull << 40}));
  EXPECT_EQ(read_be64(global_key(global_position{0x0102030405060708ull})), 0x0102030405060708ull);
  EXPECT_EQ(global_key(global_position{1}), std::string("\0\0\0\0\0\0\0\1", 8));
}

TEST(keys, log_keys_group_a_stream_in_index_order) {
  EXPECT_LT(log_key("exec/a", stream_index{9}), log_key("exec/a", stream_index{10}));
  EXPECT_LT(log_key("exec/a", stream_index{1ull << 62}), log_key("exec/a/b", stream_index{0}));
  EXPECT_LT(log_key("exec/a", stream_index{5}), log_key("exec/ab", stream_index{0}));
  EXPECT_EQ(log_key("s", stream_index{2}).substr(0, 2), stream_prefix("s"));
}

TEST(keys, parse_inverts_log_key) {
  auto parts = parse_log_key(log_key("flow/x", stream_index{42}));
  ASSERT_TRUE(parts);
  EXPECT_EQ(parts->stream, "flow/x");
  EXPECT_EQ(parts->index.value(), 42u);
  EXPECT_FALSE(parse_log_key("short"));
  EXPECT_FALSE(parse_log_key(std::string("a\0b", 3) + global_key(global_position{1})));
}

TEST(keys, stored_value_carries_its_position) {
  std::string value = "{record}";
  append_be64(value, 77);
  auto stored = split_stored_value(value);
  ASSERT_TRUE(stored);
  EXPECT_EQ(stored->record, "{record}");
  EXPECT_EQ(stored->position.value(), 77u);
  EXPECT_FALSE(split_stored_value("1234567"));
}

} // namespace
} // namespace baley::storage
