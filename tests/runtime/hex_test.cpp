// Tests for hex text: digits of both cases are read, anything else refused,
// and bytes are written as two lower-case digits each.
#include "runtime/hex.hpp"

#include <gtest/gtest.h>

#include <string>

namespace baley::runtime {
namespace {

TEST(hex, reads_digits_of_both_cases_and_refuses_the_rest) {
  EXPECT_EQ(hex_digit_value('0'), 0);
  EXPECT_EQ(hex_digit_value('9'), 9);
  EXPECT_EQ(hex_digit_value('a'), 10);
  EXPECT_EQ(hex_digit_value('F'), 15);
  for (char c : std::string("gG/:@`\0 ", 8))
    EXPECT_EQ(hex_digit_value(c), -1) << int(c);
}

TEST(hex, writes_two_lower_case_digits_per_byte) {
  const unsigned char bytes[] = {0x00, 0x0f, 0xa5, 0xff};
  std::string out(8, '?');
  hex_encode(bytes, sizeof bytes, out.data());
  EXPECT_EQ(out, "000fa5ff");
}

} // namespace
} // namespace baley::runtime
