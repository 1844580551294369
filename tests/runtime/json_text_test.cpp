// Tests for runtime/json_text: parse errors with positions, the depth limit,
// serialization, and equality by value.
#include "runtime/json_text.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <cstdint>
#include <limits>
#include <string>

namespace baley::runtime {
namespace {

namespace json = boost::json;

std::string nested_arrays(std::size_t depth) {
  return std::string(depth, '[') + std::string(depth, ']');
}

std::string parse_error(std::string_view text) {
  auto parsed = parse_json(text);
  EXPECT_FALSE(parsed.has_value()) << text;
  if (parsed) return {};
  EXPECT_EQ(parsed.error().code, "invalid_json");
  return parsed.error().message;
}

TEST(json_text, parses_documents) {
  auto parsed = parse_json(R"({"a": [1, -2, 3.5, "x", true, null], "b": {}})");
  ASSERT_TRUE(parsed.has_value());
  EXPECT_EQ(to_json_text(*parsed), R"({"a":[1,-2,3.5E0,"x",true,null],"b":{}})");
  ASSERT_TRUE(parse_json("  42 \n").has_value());
  EXPECT_EQ(parse_json("\"\\u00e9\"")->as_string(), "\xc3\xa9");
}

TEST(json_text, empty_input_is_invalid) {
  EXPECT_EQ(parse_error(""), "invalid JSON at line 1, column 1: empty input");
  EXPECT_EQ(parse_error(" \n "), "invalid JSON at line 2, column 2: empty input");
}

TEST(json_text, errors_name_line_and_column) {
  EXPECT_EQ(parse_error(R"({"a":1,})"), "invalid JSON at line 1, column 8: syntax error");
  EXPECT_EQ(parse_error("{\n  \"a\": 1,\n  \"b\" 2\n}"),
            "invalid JSON at line 3, column 7: syntax error");
  EXPECT_EQ(parse_error("[1, 2"), "invalid JSON at line 1, column 6: incomplete JSON");
  EXPECT_EQ(parse_error("1 2"), "invalid JSON at line 1, column 3: extra data");
  EXPECT_EQ(parse_error("{} // comment"), "invalid JSON at line 1, column 4: extra data");
}

TEST(json_text, columns_count_characters_not_bytes) {
  EXPECT_EQ(parse_error("[\"\xc3\xa9\xc3\xa9\", x]"),
            "invalid JSON at line 1, column 8: syntax error");
}

TEST(json_text, invalid_utf8_is_refused) {
  EXPECT_NE(parse_error("\"\xff\"").find("line 1"), std::string::npos);
}

TEST(json_text, depth_64_is_accepted_and_65_refused) {
  EXPECT_TRUE(parse_json(nested_arrays(64)).has_value());
  EXPECT_EQ(parse_error(nested_arrays(65)),
            "JSON nested deeper than 64 levels at line 1, column 65");
  std::string objects;
  for (int i = 0; i < 65; ++i) objects += "{\"k\":";
  objects += "1" + std::string(65, '}');
  EXPECT_EQ(parse_error(objects), "JSON nested deeper than 64 levels at line 1, column 321");
}

TEST(json_text, depth_limit_is_a_parameter) {
  EXPECT_TRUE(parse_json("[[1]]", 2).has_value());
  auto parsed = parse_json("[[[1]]]", 2);
  ASSERT_FALSE(parsed.has_value());
  EXPECT_EQ(parsed.error().message, "JSON nested deeper than 2 levels at line 1, column 3");
}

TEST(json_text, json_equal_compares_numbers_by_value) {
  EXPECT_TRUE(json_equal(json::value(std::int64_t{6}), json::value(6.0)));
  EXPECT_TRUE(json_equal(json::value(std::uint64_t{6}), json::value(std::int64_t{6})));
  EXPECT_TRUE(json_equal(json::value(std::uint64_t{6}), json::value(6.0)));
  EXPECT_FALSE(json_equal(json::value(std::int64_t{6}), json::value(6.5)));
  EXPECT_FALSE(json_equal(json::value(std::int64_t{-1}),
                          json::value(std::numeric_limits<std::uint64_t>::max())));
  EXPECT_FALSE(json_equal(json::value(std::int64_t{9007199254740993}),
                          json::value(9007199254740992.0)));
  EXPECT_FALSE(json_equal(json::value(std::int64_t{1}), json::value(true)));
  EXPECT_FALSE(json_equal(json::value(nullptr), json::value(0)));
}

TEST(json_text, json_equal_ignores_key_order_but_not_array_order) {
  auto a = json::parse(R"({"x": [1, {"p": 1, "q": 2.0}], "y": "s"})");
  auto b = json::parse(R"({"y": "s", "x": [1.0, {"q": 2, "p": 1}]})");
  EXPECT_TRUE(json_equal(a, b));
  EXPECT_FALSE(json_equal(json::parse("[1, 2]"), json::parse("[2, 1]")));
  EXPECT_FALSE(json_equal(json::parse(R"({"a": 1})"), json::parse(R"({"a": 1, "b": 2})")));
  EXPECT_FALSE(json_equal(json::parse(R"({"a": 1})"), json::parse(R"({"b": 1})")));
}

} // namespace
} // namespace baley::runtime
