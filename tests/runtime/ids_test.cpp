// Tests for runtime/ids: UUIDv7 layout (timestamp prefix, version 7, RFC 9562
// variant, random bits), checked with the test's own reader of UUID text.
#include "runtime/ids.hpp"

#include <gtest/gtest.h>

#include <string>

namespace baley {
namespace {

// Lowercase 8-4-4-4-12 hex.
bool is_uuid_text(std::string_view text) {
  if (text.size() != 36)
    return false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash ? c != '-'
             : !((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
      return false;
  }
  return true;
}

constexpr uuid_random_bytes zeros{};
constexpr uuid_random_bytes ones{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff};

TEST(ids, uuid_v7_layout) {
  auto id = make_uuid_v7(0x0190'c6a4'3c1e, zeros);
  EXPECT_EQ(id, "0190c6a4-3c1e-7000-8000-000000000000");
  EXPECT_EQ(make_uuid_v7(0x0190'c6a4'3c1e, ones), "0190c6a4-3c1e-7fff-bfff-ffffffffffff");
  uuid_random_bytes counting{0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef, 0x10, 0x32};
  EXPECT_EQ(make_uuid_v7(1, counting), "00000000-0001-7123-8567-89abcdef1032");
}

TEST(ids, version_and_variant_bits) {
  for (auto random : {zeros, ones, uuid_random_bytes{0x5a, 0xa5, 0x3c, 0xc3}}) {
    auto id = make_uuid_v7(1'732'802'587'123, random);
    ASSERT_EQ(id.size(), 36u);
    EXPECT_EQ(id[14], '7') << id;
    EXPECT_NE(std::string("89ab").find(id[19]), std::string::npos) << id;
    EXPECT_TRUE(is_uuid_text(id)) << id;
  }
}

TEST(ids, timestamp_prefix_orders_across_milliseconds) {
  // A later millisecond sorts after, whatever the random bits.
  for (unix_ms ms : {0LL, 255LL, 256LL, 65'535LL, 1'732'802'587'123LL}) {
    auto earlier = make_uuid_v7(ms, ones);
    auto later = make_uuid_v7(ms + 1, zeros);
    EXPECT_LT(earlier, later) << earlier << " " << later;
    EXPECT_EQ(earlier.substr(0, 13), make_uuid_v7(ms, zeros).substr(0, 13));
  }
}

TEST(ids, is_uuid_text) {
  EXPECT_TRUE(is_uuid_text("0190c6a4-3c1e-7000-8000-000000000000"));
  EXPECT_FALSE(is_uuid_text(""));
  EXPECT_FALSE(is_uuid_text("0190C6A4-3C1E-7000-8000-000000000000"));  // lower case only
  EXPECT_FALSE(is_uuid_text("0190c6a4-3c1e-7000-8000-00000000000"));
  EXPECT_FALSE(is_uuid_text("0190c6a4-3c1e-7000-8000-0000000000000"));
  EXPECT_FALSE(is_uuid_text("0190c6a403c1e-7000-8000-000000000000"));
  EXPECT_FALSE(is_uuid_text("0190c6a4-3c1e-7000-8000-00000000000g"));
  EXPECT_FALSE(is_uuid_text("0190c6a4-3c1e-7000-8000-000000000000 "));
}

} // namespace
} // namespace baley
