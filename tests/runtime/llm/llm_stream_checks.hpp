// Test helpers for the LLM stream decoders: decode a body fed in given
// pieces, print updates for readable failures, and check that every split of
// a body (two pieces at each byte, and byte by byte) decodes the same.
#pragma once

#include "runtime/llm/llm_stream.hpp"

#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

namespace baley::runtime::llm_checks {

inline std::vector<llm_update> decode(llm_wire wire, const std::vector<std::string_view>& pieces,
                                      bool finish = true) {
  auto decoder = make_stream_decoder(wire);
  std::vector<llm_update> all;
  auto take = [&](std::vector<llm_update> some) {
    all.insert(all.end(), std::make_move_iterator(some.begin()),
               std::make_move_iterator(some.end()));
  };
  for (auto piece : pieces)
    take(decoder->feed(piece));
  if (finish)
    take(decoder->finish());
  return all;
}

inline std::vector<llm_update> decode(llm_wire wire, std::string_view body) {
  return decode(wire, std::vector<std::string_view>{body});
}

inline std::string describe(const llm_update& u) {
  struct {
    std::string operator()(const text_delta& t) { return "text(" + t.content + ")"; }
    std::string operator()(const tool_call& c) {
      return "tool(" + c.id + ", " + c.name + ", " + c.arguments + ")";
    }
    std::string operator()(const token_usage& t) {
      return "usage(" + std::to_string(t.input) + ", " + std::to_string(t.output) + ")";
    }
    std::string operator()(const stream_end& e) { return "end(" + e.finish_reason + ")"; }
    std::string operator()(const stream_failure& f) {
      return "failure(" + f.type + ", " + f.message + (f.retryable ? ", retryable)" : ")");
    }
  } visitor;
  return std::visit(visitor, u);
}

inline std::string describe(const std::vector<llm_update>& updates) {
  std::string text;
  for (const auto& u : updates)
    text += describe(u) + "\n";
  return text;
}

// Every way of cutting `body` into pieces gives the updates of one feed.
inline void expect_any_split_decodes_the_same(llm_wire wire, std::string_view body) {
  const auto whole = decode(wire, body);
  for (std::size_t at = 0; at <= body.size(); ++at) {
    const auto split = decode(wire, {body.substr(0, at), body.substr(at)});
    ASSERT_EQ(describe(split), describe(whole)) << "split at byte " << at;
    ASSERT_TRUE(split == whole) << "split at byte " << at;
  }
  std::vector<std::string_view> bytes;
  for (std::size_t i = 0; i < body.size(); ++i)
    bytes.push_back(body.substr(i, 1));
  const auto one_by_one = decode(wire, bytes);
  EXPECT_EQ(describe(one_by_one), describe(whole)) << "byte by byte";
  EXPECT_TRUE(one_by_one == whole) << "byte by byte";
}

// `text` with every \n made `line_end` (\r\n or \r).
inline std::string with_line_ends(std::string_view text, std::string_view line_end) {
  std::string out;
  for (char c : text) {
    if (c == '\n')
      out += line_end;
    else
      out += c;
  }
  return out;
}

} // namespace baley::runtime::llm_checks
