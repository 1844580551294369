// Tests for runtime/sse_lines: the WHATWG field rules, the three line ends
// (a \r\n split between feeds included), and any split of the bytes giving
// the same messages.
#include "runtime/llm/sse_lines.hpp"

#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

namespace baley::runtime {
namespace {

std::string describe(const std::vector<sse_message>& messages) {
  std::string text;
  for (const auto& m : messages)
    text += "[" + m.event + "|" + m.data + "|" + m.id + "]";
  return text;
}

std::string parse_pieces(const std::vector<std::string_view>& pieces) {
  sse_lines lines;
  std::vector<sse_message> all;
  for (auto piece : pieces)
    for (auto& m : lines.feed(piece))
      all.push_back(std::move(m));
  return describe(all);
}

std::string parse(std::string_view body) {
  return parse_pieces({body});
}

TEST(sse_lines, fields_and_dispatch) {
  EXPECT_EQ(parse("event: add\ndata: 73857293\nid: 7\n\n"), "[add|73857293|7]");
  EXPECT_EQ(parse("data: first\ndata: second\n\n"), "[|first\nsecond|]");
  EXPECT_EQ(parse("data:no space\n\n"), "[|no space|]");
  EXPECT_EQ(parse("data:  two spaces\n\n"), "[| two spaces|]");  // only one is dropped
  EXPECT_EQ(parse("data: a: b\n\n"), "[|a: b|]");                // the first colon splits
}

TEST(sse_lines, a_field_name_alone_has_an_empty_value) {
  EXPECT_EQ(parse("data\n\n"), "[||]");
  EXPECT_EQ(parse("data\ndata\n\n"), "[|\n|]");
  EXPECT_EQ(parse("data:\n\n"), "[||]");
}

TEST(sse_lines, comments_and_unknown_fields_are_ignored) {
  EXPECT_EQ(parse(": keep-alive\n\n: OPENROUTER PROCESSING\n\ndata: x\n\n"), "[|x|]");
  EXPECT_EQ(parse("retry: 3000\nfoo: bar\ndata: x\n: note\n\n"), "[|x|]");
  EXPECT_EQ(parse("Data: x\n\n"), "");  // names are case-sensitive
}

TEST(sse_lines, a_message_without_data_is_not_dispatched_and_resets_the_event) {
  EXPECT_EQ(parse("event: ping\n\ndata: x\n\n"), "[|x|]");
  EXPECT_EQ(parse("\n\n\n"), "");
}

TEST(sse_lines, the_last_event_id_carries_over) {
  EXPECT_EQ(parse("id: 1\ndata: a\n\ndata: b\n\nid\ndata: c\n\n"), "[|a|1][|b|1][|c|]");
  constexpr char with_nul[] = "id: 2\ndata: a\n\nid: x\0y\ndata: b\n\n";  // an id with NUL is ignored
  EXPECT_EQ(parse(std::string_view(with_nul, sizeof with_nul - 1)), "[|a|2][|b|2]");
}

TEST(sse_lines, an_unfinished_message_is_held_back) {
  sse_lines lines;
  EXPECT_TRUE(lines.feed("data: a\ndata: b\n").empty());
  EXPECT_TRUE(lines.feed("data: c").empty());
  EXPECT_EQ(describe(lines.feed("\n\n")), "[|a\nb\nc|]");
}

TEST(sse_lines, lines_end_in_lf_crlf_or_cr) {
  EXPECT_EQ(parse("data: a\r\ndata: b\r\n\r\n"), "[|a\nb|]");
  EXPECT_EQ(parse("data: a\rdata: b\r\r"), "[|a\nb|]");
  EXPECT_EQ(parse("data: a\ndata: b\r\ndata: c\rdata: d\n\r\n"), "[|a\nb\nc\nd|]");
  EXPECT_EQ(parse("data: a\n\rdata: b\r\n\n"), "[|a|][|b|]");  // \n\r is two line ends
}

TEST(sse_lines, a_crlf_split_between_feeds_is_one_line_end) {
  EXPECT_EQ(parse_pieces({"data: a\r", "\ndata: b\r\n\r\n"}), "[|a\nb|]");
  EXPECT_EQ(parse_pieces({"data: a\r", "", "\n", "data: b\r", "\n\r", "\n"}), "[|a\nb|]");
  EXPECT_EQ(parse_pieces({"data: a\r", "\r"}), "[|a|]");  // \r then \r: a blank line
}

TEST(sse_lines, a_leading_bom_is_dropped_once) {
  EXPECT_EQ(parse("\xEF\xBB\xBF" "data: a\n\n"), "[|a|]");
  EXPECT_EQ(parse_pieces({"\xEF", "\xBB", "\xBF" "data: a\n\n"}), "[|a|]");
  EXPECT_EQ(parse("\xEF\xBB\xBF\xEF\xBB\xBF" "data: a\n\n"), "");  // the second is part of a name
  EXPECT_EQ(parse("data: \xEF\xBB\xBF" "a\n\n"), "[|\xEF\xBB\xBF" "a|]");
}

TEST(sse_lines, any_split_gives_the_same_messages) {
  const std::string body =
      "\xEF\xBB\xBF: hello\r\n"
      "event: message_start\r\n"
      "data: {\"a\":1}\r\n"
      "\r\n"
      "id: 42\n"
      "data: line one\r"
      "data:line two\n"
      "data\r\n"
      "\r"
      "event: ignored\n"
      "\n"
      "data: caf\xC3\xA9\r\r";
  const auto whole = parse(body);
  ASSERT_EQ(whole, "[message_start|{\"a\":1}|][|line one\nline two\n|42][|caf\xC3\xA9|42]");
  for (std::size_t at = 0; at <= body.size(); ++at)
    for (std::size_t at2 = at; at2 <= body.size(); ++at2) {
      const std::string_view b = body;
      ASSERT_EQ(parse_pieces({b.substr(0, at), b.substr(at, at2 - at), b.substr(at2)}), whole)
          << "split at bytes " << at << " and " << at2;
    }
  std::vector<std::string_view> bytes;
  for (std::size_t i = 0; i < body.size(); ++i)
    bytes.push_back(std::string_view(body).substr(i, 1));
  EXPECT_EQ(parse_pieces(bytes), whole);
}

} // namespace
} // namespace baley::runtime
