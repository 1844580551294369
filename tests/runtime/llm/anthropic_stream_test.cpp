// Tests for runtime/anthropic_stream: recorded Messages streams (text, a
// tool_use block in input_json_delta fragments, usage, in-stream errors)
// decode the same whatever the split of their bytes and their line ends.
#include "runtime/llm/llm_stream.hpp"

#include "tests/runtime/llm/llm_stream_checks.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace baley::runtime {
namespace {

using llm_checks::decode;
using llm_checks::describe;
using llm_checks::expect_any_split_decodes_the_same;
using llm_checks::with_line_ends;

constexpr auto anthropic = llm_wire::anthropic;

// As the Messages API streams a text block and then a tool_use block.
constexpr std::string_view text_and_tool_use = R"sse(event: message_start
data: {"type":"message_start","message":{"id":"msg_014p7gG3wDgGV9EUtLvnow3U","type":"message","role":"assistant","model":"claude-3-5-sonnet-20241022","content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":472,"cache_creation_input_tokens":0,"cache_read_input_tokens":0,"output_tokens":2}}}

event: content_block_start
data: {"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}

event: ping
data: {"type": "ping"}

event: content_block_delta
data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Okay"}}

event: content_block_delta
data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":", let's check the weather for Zürich:"}}

event: content_block_stop
data: {"type":"content_block_stop","index":0}

event: content_block_start
data: {"type":"content_block_start","index":1,"content_block":{"type":"tool_use","id":"toolu_01T1x1fJ34qAmk2tNTrN7Up6","name":"get_weather","input":{}}}

event: content_block_delta
data: {"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":""}}

event: content_block_delta
data: {"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":"{\"location\":"}}

event: content_block_delta
data: {"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":" \"Zürich\", \"unit\": \"cel"}}

event: content_block_delta
data: {"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":"sius\"}"}}

event: content_block_stop
data: {"type":"content_block_stop","index":1}

event: message_delta
data: {"type":"message_delta","delta":{"stop_reason":"tool_use","stop_sequence":null},"usage":{"output_tokens":89}}

event: message_stop
data: {"type":"message_stop"}

)sse";

constexpr std::string_view text_and_tool_use_updates =
    "text(Okay)\n"
    "text(, let's check the weather for Zürich:)\n"
    "tool(toolu_01T1x1fJ34qAmk2tNTrN7Up6, get_weather, {\"location\": \"Zürich\", \"unit\": "
    "\"celsius\"})\n"
    "usage(472, 89)\n"
    "end(tool_use)\n";

constexpr std::string_view overloaded = R"sse(event: message_start
data: {"type":"message_start","message":{"id":"msg_01","type":"message","role":"assistant","model":"claude-3-5-haiku-20241022","content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":25,"output_tokens":1}}}

event: content_block_start
data: {"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}

event: content_block_delta
data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hel"}}

event: error
data: {"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}}

)sse";

constexpr std::string_view stream_cut_failure =
    "failure(stream_cut, stream cut: the response body ended before the end of the stream, "
    "retryable)\n";

TEST(anthropic_stream, decodes_text_tool_use_usage_and_stop) {
  EXPECT_EQ(describe(decode(anthropic, text_and_tool_use)), text_and_tool_use_updates);
}

TEST(anthropic_stream, any_split_decodes_the_same) {
  expect_any_split_decodes_the_same(anthropic, text_and_tool_use);
  expect_any_split_decodes_the_same(anthropic, overloaded);
}

TEST(anthropic_stream, crlf_and_cr_streams_decode_the_same) {
  for (auto line_end : {"\r\n", "\r"}) {
    const auto body = with_line_ends(text_and_tool_use, line_end);
    EXPECT_EQ(describe(decode(anthropic, body)), text_and_tool_use_updates);
    expect_any_split_decodes_the_same(anthropic, body);
  }
}

TEST(anthropic_stream, errors_in_the_stream_fail_it_once) {
  EXPECT_EQ(describe(decode(anthropic, overloaded)),
            "text(Hel)\nfailure(overloaded_error, Overloaded, retryable)\n");
}

TEST(anthropic_stream, which_errors_are_retryable) {
  auto failure = [](std::string_view type) {
    const auto updates = decode(anthropic, "event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"" +
                                               std::string(type) + "\",\"message\":\"m\"}}\n\n");
    EXPECT_EQ(updates.size(), 1u);
    return std::get<stream_failure>(updates.front()).retryable;
  };
  EXPECT_TRUE(failure("overloaded_error"));
  EXPECT_TRUE(failure("api_error"));
  EXPECT_TRUE(failure("rate_limit_error"));
  EXPECT_FALSE(failure("invalid_request_error"));
  EXPECT_FALSE(failure("authentication_error"));
  EXPECT_FALSE(failure("permission_error"));
  EXPECT_FALSE(failure("not_found_error"));
  EXPECT_FALSE(failure("request_too_large"));
}

TEST(anthropic_stream, a_cut_body_is_a_retryable_failure) {
  // Cut inside the tool_use input: the half-written call is not emitted.
  const auto cut = text_and_tool_use.substr(0, text_and_tool_use.find("sius"));
  EXPECT_EQ(describe(decode(anthropic, cut)),
            "text(Okay)\ntext(, let's check the weather for Zürich:)\n" +
                std::string(stream_cut_failure));
  EXPECT_EQ(describe(decode(anthropic, "")), stream_cut_failure);
}

TEST(anthropic_stream, a_body_ending_after_the_stop_reason_ends_the_stream) {
  const auto no_stop = text_and_tool_use.substr(0, text_and_tool_use.find("event: message_stop"));
  EXPECT_EQ(describe(decode(anthropic, no_stop)), text_and_tool_use_updates);
}

TEST(anthropic_stream, malformed_json_is_a_final_failure) {
  const auto updates = decode(anthropic, R"(event: content_block_delta
data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"a"}}

event: content_block_delta
data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"b"

event: message_stop
data: {"type":"message_stop"}

)");
  ASSERT_EQ(updates.size(), 2u);
  EXPECT_EQ(describe(updates[0]), "text(a)");
  const auto& failure = std::get<stream_failure>(updates[1]);
  EXPECT_EQ(failure.type, "invalid_json");
  EXPECT_FALSE(failure.retryable);
}

TEST(anthropic_stream, a_tool_without_input_and_events_it_does_not_know) {
  EXPECT_EQ(describe(decode(anthropic, R"(event: message_start
data: {"type":"message_start","message":{"usage":{"input_tokens":10,"output_tokens":1}}}

event: content_block_start
data: {"type":"content_block_start","index":0,"content_block":{"type":"thinking","thinking":""}}

event: content_block_delta
data: {"type":"content_block_delta","index":0,"delta":{"type":"thinking_delta","thinking":"Hmm."}}

event: content_block_delta
data: {"type":"content_block_delta","index":0,"delta":{"type":"signature_delta","signature":"EqQB"}}

event: content_block_stop
data: {"type":"content_block_stop","index":0}

event: content_block_start
data: {"type":"content_block_start","index":1,"content_block":{"type":"tool_use","id":"toolu_2","name":"now","input":{}}}

event: content_block_stop
data: {"type":"content_block_stop","index":1}

event: some_future_event
data: {"type":"some_future_event"}

event: message_delta
data: {"type":"message_delta","delta":{"stop_reason":"tool_use"},"usage":{"input_tokens":12,"output_tokens":7}}

event: message_stop
data: {"type":"message_stop"}

)")),
            "tool(toolu_2, now, {})\nusage(12, 7)\nend(tool_use)\n");
}

TEST(anthropic_stream, nothing_after_the_end) {
  auto decoder = make_stream_decoder(anthropic);
  EXPECT_EQ(describe(decoder->feed("event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n"
                                   "event: error\ndata: {\"type\":\"error\",\"error\":{}}\n\n")),
            "end()\n");
  EXPECT_TRUE(decoder->finish().empty());
}

} // namespace
} // namespace baley::runtime
