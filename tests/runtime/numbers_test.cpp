// Tests for runtime/numbers: parse_integer, parse_decimal and json_integer
// take all of the value, in range, or nothing: bounds, signs, junk, overflow.
#include "runtime/numbers.hpp"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

#include <cstdint>
#include <limits>
#include <optional>

namespace baley::runtime {
namespace {

TEST(numbers, integer_within_bounds_is_parsed) {
  EXPECT_EQ(parse_integer<int>("42", 0, 100), std::optional<int>(42));
  EXPECT_EQ(parse_integer<int>("0", 0, 100), std::optional<int>(0));
  EXPECT_EQ(parse_integer<int>("100", 0, 100), std::optional<int>(100));
  EXPECT_EQ(parse_integer<int>("007", 0, 100), std::optional<int>(7));
  EXPECT_EQ(parse_integer<std::int64_t>("-1", -1, 10), std::optional<std::int64_t>(-1));
}

TEST(numbers, integer_outside_bounds_is_nothing) {
  EXPECT_FALSE(parse_integer<int>("101", 0, 100));
  EXPECT_FALSE(parse_integer<int>("-1", 0, 100));
  EXPECT_FALSE(parse_integer<std::int64_t>("-2", -1, 10));
}

TEST(numbers, integer_signs) {
  EXPECT_FALSE(parse_integer<int>("+5", 0, 100)) << "a leading + is not accepted";
  EXPECT_FALSE(parse_integer<unsigned>("-5", 0u, 100u));
  EXPECT_FALSE(parse_integer<unsigned>("-0", 0u, 100u));
  EXPECT_FALSE(parse_integer<int>("--5", -10, 10));
  EXPECT_EQ(parse_integer<int>("-0", -10, 10), std::optional<int>(0));
}

TEST(numbers, integer_with_junk_is_nothing) {
  for (auto text : {"5x", "x5", " 5", "5 ", "1.5", "1e3", "0x10", "1_000", "5\n", "٥"})
    EXPECT_FALSE(parse_integer<int>(text, -1000, 1000)) << '"' << text << '"';
}

TEST(numbers, empty_integer_is_nothing) {
  EXPECT_FALSE(parse_integer<int>("", 0, 100));
  EXPECT_FALSE(parse_integer<int>("-", -100, 100));
  EXPECT_FALSE(parse_integer<int>({}, 0, 100));
}

TEST(numbers, integer_overflow_is_nothing_not_a_wrapped_value) {
  constexpr auto i64_max = std::numeric_limits<std::int64_t>::max();
  constexpr auto i64_min = std::numeric_limits<std::int64_t>::min();
  EXPECT_EQ(parse_integer<std::int64_t>("9223372036854775807", i64_min, i64_max),
            std::optional<std::int64_t>(i64_max));
  EXPECT_EQ(parse_integer<std::int64_t>("-9223372036854775808", i64_min, i64_max),
            std::optional<std::int64_t>(i64_min));
  EXPECT_FALSE(parse_integer<std::int64_t>("9223372036854775808", i64_min, i64_max));
  EXPECT_FALSE(parse_integer<std::int64_t>("-9223372036854775809", i64_min, i64_max));
  EXPECT_FALSE(parse_integer<std::uint8_t>("256", std::uint8_t{0}, std::uint8_t{255}));
  EXPECT_EQ(parse_integer<std::uint8_t>("255", std::uint8_t{0}, std::uint8_t{255}),
            std::optional<std::uint8_t>(255));
  EXPECT_FALSE(parse_integer<int>("99999999999999999999999", 0, 1000));
}

TEST(numbers, integer_reads_only_the_given_view) {
  std::string_view text = "123456";
  EXPECT_EQ(parse_integer<int>(text.substr(0, 3), 0, 1000), std::optional<int>(123));
}

TEST(numbers, decimal_within_bounds_is_parsed) {
  EXPECT_EQ(parse_decimal("1.5", 0, 2), std::optional<double>(1.5));
  EXPECT_EQ(parse_decimal("0", 0, 2), std::optional<double>(0.0));
  EXPECT_EQ(parse_decimal("2", 0, 2), std::optional<double>(2.0));
  EXPECT_EQ(parse_decimal("-0.25", -1, 1), std::optional<double>(-0.25));
  EXPECT_EQ(parse_decimal(".5", 0, 1), std::optional<double>(0.5));
  EXPECT_EQ(parse_decimal("1e2", 0, 1000), std::optional<double>(100.0));
}

TEST(numbers, decimal_outside_bounds_is_nothing) {
  EXPECT_FALSE(parse_decimal("2.0001", 0, 2));
  EXPECT_FALSE(parse_decimal("-0.01", 0, 2));
  EXPECT_FALSE(parse_decimal("1e3", 0, 999.9));
}

TEST(numbers, decimal_junk_signs_and_empty_are_nothing) {
  for (auto text : {"", "-", ".", "+1", "1.5x", " 1", "1 ", "1,5", "e3", "0x1p3", "one"})
    EXPECT_FALSE(parse_decimal(text, -1000, 1000)) << '"' << text << '"';
}

TEST(numbers, decimal_infinity_nan_and_overflow_are_nothing) {
  constexpr double inf = std::numeric_limits<double>::infinity();
  for (auto text : {"inf", "-inf", "infinity", "nan", "NaN", "1e400", "-1e400"})
    EXPECT_FALSE(parse_decimal(text, -inf, inf)) << text;
}

TEST(numbers, json_integer_takes_whole_numbers_of_any_json_kind) {
  EXPECT_EQ(json_integer(boost::json::parse("5"), 0, 10), 5);
  EXPECT_EQ(json_integer(boost::json::parse("5.0"), 0, 10), 5);
  EXPECT_EQ(json_integer(boost::json::parse("1e3"), 0, 1000), 1000);
  EXPECT_EQ(json_integer(boost::json::parse("-3"), -5, 0), -3);
  EXPECT_EQ(json_integer(boost::json::parse("18446744073709551615"), 0,
                         std::numeric_limits<std::int64_t>::max()),
            std::nullopt);
}

TEST(numbers, json_integer_refuses_fractions_other_kinds_and_the_out_of_range) {
  for (auto text : {"5.5", "-0.1", "11", "-1", "1e400", "\"5\"", "true", "null", "[5]", "{}"})
    EXPECT_FALSE(json_integer(boost::json::parse(text), 0, 10)) << text;
}

} // namespace
} // namespace baley::runtime
