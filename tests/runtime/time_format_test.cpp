// Tests for runtime/time_format: RFC 3339 UTC with milliseconds for known
// instants (epoch, a leap day, before 1970) and parsing back.
#include "runtime/time_format.hpp"

#include <gtest/gtest.h>

#include <string>

namespace baley {
namespace {

unix_ms parsed(std::string_view text) {
  auto ms = parse_rfc3339_ms(text);
  EXPECT_TRUE(ms) << text << ": " << (ms ? "" : ms.error().message);
  return ms ? *ms : -999;
}

TEST(time_format, known_instants) {
  EXPECT_EQ(format_rfc3339_ms(0), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(format_rfc3339_ms(1'732'802'587'123), "2024-11-28T14:03:07.123Z");
  EXPECT_EQ(format_rfc3339_ms(1'709'251'199'999), "2024-02-29T23:59:59.999Z");
  EXPECT_EQ(format_rfc3339_ms(1'709'251'200'000), "2024-03-01T00:00:00.000Z");
  EXPECT_EQ(format_rfc3339_ms(951'782'400'000), "2000-02-29T00:00:00.000Z");
  EXPECT_EQ(format_rfc3339_ms(7), "1970-01-01T00:00:00.007Z");
}

TEST(time_format, before_1970) {
  EXPECT_EQ(format_rfc3339_ms(-1), "1969-12-31T23:59:59.999Z");
  EXPECT_EQ(format_rfc3339_ms(-14'182'940'000), "1969-07-20T20:17:40.000Z");
  EXPECT_EQ(format_rfc3339_ms(-2'208'988'800'000), "1900-01-01T00:00:00.000Z");
}

TEST(time_format, parse_round_trip) {
  for (unix_ms ms : {0LL, 1LL, -1LL, 1'709'251'199'999LL, 1'732'802'587'123LL,
                     -14'182'940'001LL, -2'208'988'800'000LL, 253'402'300'799'999LL}) {
    auto text = format_rfc3339_ms(ms);
    EXPECT_EQ(parsed(text), ms) << text;
  }
}

TEST(time_format, parses_seconds_without_fraction) {
  EXPECT_EQ(parsed("2024-02-29T12:00:00Z"), 1'709'208'000'000);
  EXPECT_EQ(parsed("1970-01-01T00:00:01Z"), 1000);
}

TEST(time_format, fractions_are_read_as_fractions_of_a_second) {
  EXPECT_EQ(parsed("1970-01-01T00:00:00.5Z"), 500);
  EXPECT_EQ(parsed("1970-01-01T00:00:00.05Z"), 50);
  EXPECT_EQ(parsed("1970-01-01T00:00:00.123456Z"), 123);
}

TEST(time_format, refuses_what_is_not_utc_rfc3339) {
  for (auto text : {"", "yesterday", "2024-02-29", "2024-02-29T12:00:00.000+01:00",
                    "2024-02-29T12:00:00.000", "2024-13-01T00:00:00.000Z",
                    "2024-02-00T00:00:00.000Z", "2024-02-29T12:00:00.000Zjunk",
                    "2024-02-29T12:00:00.000Z junk", "2024-02-29T24:00:00.000Z",
                    "2024-02-29T12:60:00.000Z", "2024-02-29T12:00:00.Z"}) {
    auto ms = parse_rfc3339_ms(text);
    EXPECT_FALSE(ms) << text;
    if (!ms) {
      EXPECT_EQ(ms.error().code, "invalid_time");
    }
  }
}

} // namespace
} // namespace baley
