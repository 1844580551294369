// Tests for runtime/openai_stream: recorded chat completion streams (text,
// tool calls in fragments, usage, [DONE], in-stream errors) decode the same
// whatever the split of their bytes and whatever their line ends.
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

constexpr auto openai = llm_wire::openai;

// gpt-4o-mini with two parallel tool calls, stream_options.include_usage on
// (so every chunk carries "usage":null), and a keep-alive comment.
constexpr std::string_view text_and_tool_calls = R"sse(data: {"id":"chatcmpl-9xK2","object":"chat.completion.chunk","created":1718000000,"model":"gpt-4o-mini-2024-07-18","system_fingerprint":"fp_0ba0d124f1","choices":[{"index":0,"delta":{"role":"assistant","content":"","refusal":null},"logprobs":null,"finish_reason":null}],"usage":null}

data: {"id":"chatcmpl-9xK2","object":"chat.completion.chunk","created":1718000000,"model":"gpt-4o-mini-2024-07-18","system_fingerprint":"fp_0ba0d124f1","choices":[{"index":0,"delta":{"content":"Checking"},"logprobs":null,"finish_reason":null}],"usage":null}

data: {"id":"chatcmpl-9xK2","object":"chat.completion.chunk","created":1718000000,"model":"gpt-4o-mini-2024-07-18","system_fingerprint":"fp_0ba0d124f1","choices":[{"index":0,"delta":{"content":" Paris at 20 °C"},"logprobs":null,"finish_reason":null}],"usage":null}

: keep-alive

data: {"id":"chatcmpl-9xK2","object":"chat.completion.chunk","created":1718000000,"model":"gpt-4o-mini-2024-07-18","system_fingerprint":"fp_0ba0d124f1","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"id":"call_Qm3x","type":"function","function":{"name":"get_weather","arguments":""}}]},"logprobs":null,"finish_reason":null}],"usage":null}

data: {"id":"chatcmpl-9xK2","object":"chat.completion.chunk","created":1718000000,"model":"gpt-4o-mini-2024-07-18","system_fingerprint":"fp_0ba0d124f1","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"{\"ci"}}]},"logprobs":null,"finish_reason":null}],"usage":null}

data: {"id":"chatcmpl-9xK2","object":"chat.completion.chunk","created":1718000000,"model":"gpt-4o-mini-2024-07-18","system_fingerprint":"fp_0ba0d124f1","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"ty\": \"Par"}}]},"logprobs":null,"finish_reason":null}],"usage":null}

data: {"id":"chatcmpl-9xK2","object":"chat.completion.chunk","created":1718000000,"model":"gpt-4o-mini-2024-07-18","system_fingerprint":"fp_0ba0d124f1","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"is\"}"}}]},"logprobs":null,"finish_reason":null}],"usage":null}

data: {"id":"chatcmpl-9xK2","object":"chat.completion.chunk","created":1718000000,"model":"gpt-4o-mini-2024-07-18","system_fingerprint":"fp_0ba0d124f1","choices":[{"index":0,"delta":{"tool_calls":[{"index":1,"id":"call_Zr7c","type":"function","function":{"name":"get_time","arguments":""}}]},"logprobs":null,"finish_reason":null}],"usage":null}

data: {"id":"chatcmpl-9xK2","object":"chat.completion.chunk","created":1718000000,"model":"gpt-4o-mini-2024-07-18","system_fingerprint":"fp_0ba0d124f1","choices":[{"index":0,"delta":{"tool_calls":[{"index":1,"function":{"arguments":"{\"tz\": \"Europe/Paris\"}"}}]},"logprobs":null,"finish_reason":null}],"usage":null}

data: {"id":"chatcmpl-9xK2","object":"chat.completion.chunk","created":1718000000,"model":"gpt-4o-mini-2024-07-18","system_fingerprint":"fp_0ba0d124f1","choices":[{"index":0,"delta":{},"logprobs":null,"finish_reason":"tool_calls"}],"usage":null}

data: {"id":"chatcmpl-9xK2","object":"chat.completion.chunk","created":1718000000,"model":"gpt-4o-mini-2024-07-18","system_fingerprint":"fp_0ba0d124f1","choices":[],"usage":{"prompt_tokens":84,"completion_tokens":42,"total_tokens":126,"prompt_tokens_details":{"cached_tokens":0,"audio_tokens":0},"completion_tokens_details":{"reasoning_tokens":0,"audio_tokens":0,"accepted_prediction_tokens":0,"rejected_prediction_tokens":0}}}

data: [DONE]

)sse";

constexpr std::string_view text_and_tool_calls_updates =
    "text(Checking)\n"
    "text( Paris at 20 °C)\n"
    "tool(call_Qm3x, get_weather, {\"city\": \"Paris\"})\n"
    "tool(call_Zr7c, get_time, {\"tz\": \"Europe/Paris\"})\n"
    "usage(84, 42)\n"
    "end(tool_calls)\n";

// llama.cpp server: no usage chunk without stream_options, timings extra.
constexpr std::string_view llama_cpp_text = R"sse(data: {"choices":[{"finish_reason":null,"index":0,"delta":{"role":"assistant","content":null}}],"created":1733000000,"id":"chatcmpl-lc1","model":"qwen2.5-7b-instruct","system_fingerprint":"b4200","object":"chat.completion.chunk"}

data: {"choices":[{"finish_reason":null,"index":0,"delta":{"content":"Hello"}}],"created":1733000000,"id":"chatcmpl-lc1","model":"qwen2.5-7b-instruct","system_fingerprint":"b4200","object":"chat.completion.chunk"}

data: {"choices":[{"finish_reason":null,"index":0,"delta":{"content":" there."}}],"created":1733000000,"id":"chatcmpl-lc1","model":"qwen2.5-7b-instruct","system_fingerprint":"b4200","object":"chat.completion.chunk"}

data: {"choices":[{"finish_reason":"stop","index":0,"delta":{}}],"created":1733000000,"id":"chatcmpl-lc1","model":"qwen2.5-7b-instruct","system_fingerprint":"b4200","object":"chat.completion.chunk","usage":{"completion_tokens":3,"prompt_tokens":12,"total_tokens":15},"timings":{"prompt_n":12,"predicted_n":3}}

data: [DONE]

)sse";

// OpenAI failing mid-answer.
constexpr std::string_view server_error = R"sse(data: {"id":"chatcmpl-9xK3","object":"chat.completion.chunk","created":1718000001,"model":"gpt-4o","choices":[{"index":0,"delta":{"role":"assistant","content":""},"logprobs":null,"finish_reason":null}]}

data: {"id":"chatcmpl-9xK3","object":"chat.completion.chunk","created":1718000001,"model":"gpt-4o","choices":[{"index":0,"delta":{"content":"Once"},"logprobs":null,"finish_reason":null}]}

data: {"error":{"message":"The server had an error while processing your request. Sorry about that!","type":"server_error","param":null,"code":null}}

data: {"id":"chatcmpl-9xK3","object":"chat.completion.chunk","created":1718000001,"model":"gpt-4o","choices":[{"index":0,"delta":{"content":"ignored"},"logprobs":null,"finish_reason":null}]}

)sse";

TEST(openai_stream, decodes_text_tool_calls_usage_and_done) {
  EXPECT_EQ(describe(decode(openai, text_and_tool_calls)), text_and_tool_calls_updates);
  EXPECT_EQ(describe(decode(openai, llama_cpp_text)), "text(Hello)\ntext( there.)\nusage(12, 3)\nend(stop)\n");
}

TEST(openai_stream, any_split_decodes_the_same) {
  expect_any_split_decodes_the_same(openai, text_and_tool_calls);
  expect_any_split_decodes_the_same(openai, llama_cpp_text);
  expect_any_split_decodes_the_same(openai, server_error);
}

TEST(openai_stream, crlf_and_cr_streams_decode_the_same) {
  for (auto line_end : {"\r\n", "\r"}) {
    const auto body = with_line_ends(text_and_tool_calls, line_end);
    EXPECT_EQ(describe(decode(openai, body)), text_and_tool_calls_updates);
    expect_any_split_decodes_the_same(openai, body);
  }
}

TEST(openai_stream, updates_come_as_their_chunks_complete) {
  auto decoder = make_stream_decoder(openai);
  EXPECT_TRUE(decoder->feed(R"(data: {"choices":[{"index":0,"delta":{"content":"Hi"}}]})").empty());
  EXPECT_EQ(describe(decoder->feed("\n\n")), "text(Hi)\n");
  EXPECT_TRUE(decoder->feed("data: [DO").empty());
  EXPECT_EQ(describe(decoder->feed("NE]\n\n")), "end()\n");
  EXPECT_TRUE(decoder->finish().empty());
}

TEST(openai_stream, errors_in_the_stream_fail_it_once) {
  EXPECT_EQ(describe(decode(openai, server_error)),
            "text(Once)\nfailure(server_error, The server had an error while processing your "
            "request. Sorry about that!, retryable)\n");
}

TEST(openai_stream, which_errors_are_retryable) {
  auto failure = [](std::string_view error) {
    const auto updates = decode(openai, "data: {\"error\":" + std::string(error) + "}\n\n");
    EXPECT_EQ(updates.size(), 1u);
    return describe(updates.front());
  };
  EXPECT_EQ(failure(R"({"message":"Rate limit reached for gpt-4o","type":"requests","param":null,"code":"rate_limit_exceeded"})"),
            "failure(requests, Rate limit reached for gpt-4o, retryable)");
  EXPECT_EQ(failure(R"({"message":"Invalid schema","type":"invalid_request_error","param":"response_format","code":null})"),
            "failure(invalid_request_error, Invalid schema)");
  EXPECT_EQ(failure(R"({"message":"You exceeded your current quota","type":"insufficient_quota","param":null,"code":"insufficient_quota"})"),
            "failure(insufficient_quota, You exceeded your current quota)");
  // llama.cpp and vLLM: an HTTP status as the code.
  EXPECT_EQ(failure(R"({"code":503,"message":"Loading model","type":"unavailable_error"})"),
            "failure(unavailable_error, Loading model, retryable)");
  EXPECT_EQ(failure(R"({"object":"error","message":"boom","type":"InternalServerError","param":null,"code":500})"),
            "failure(InternalServerError, boom, retryable)");
  EXPECT_EQ(failure(R"({"code":400,"message":"context too long","type":"exceed_context_size_error"})"),
            "failure(exceed_context_size_error, context too long)");
  // Ollama's /v1.
  EXPECT_EQ(failure(R"({"message":"model is overloaded","type":"api_error","param":null,"code":null})"),
            "failure(api_error, model is overloaded, retryable)");
  EXPECT_EQ(failure(R"("something broke")"), "failure(error, something broke)");
}

TEST(openai_stream, a_cut_body_is_a_retryable_failure) {
  const auto cut = text_and_tool_calls.substr(0, text_and_tool_calls.find("is\\\"}"));
  EXPECT_EQ(describe(decode(openai, cut)),
            "text(Checking)\ntext( Paris at 20 °C)\n"
            "failure(stream_cut, stream cut: the response body ended before the end of the "
            "stream, retryable)\n");
  EXPECT_EQ(describe(decode(openai, "")), "failure(stream_cut, stream cut: the response body "
                                          "ended before the end of the stream, retryable)\n");
  // [DONE] not closed by its blank line: dropped, as any unfinished message.
  const auto updates = decode(openai, R"(data: {"choices":[{"index":0,"delta":{"content":"a"}}]}

data: [DONE])");
  ASSERT_EQ(updates.size(), 2u);
  EXPECT_TRUE(std::get<stream_failure>(updates[1]).retryable);
}

TEST(openai_stream, a_body_ending_after_the_finish_reason_ends_the_stream) {
  const auto no_done = text_and_tool_calls.substr(0, text_and_tool_calls.find("data: [DONE]"));
  EXPECT_EQ(describe(decode(openai, no_done)), text_and_tool_calls_updates);
  const auto no_usage = text_and_tool_calls.substr(0, text_and_tool_calls.find("data: {\"id\":\"chatcmpl-9xK2\",\"object\":\"chat.completion.chunk\",\"created\":1718000000,\"model\":\"gpt-4o-mini-2024-07-18\",\"system_fingerprint\":\"fp_0ba0d124f1\",\"choices\":[],"));
  EXPECT_EQ(describe(decode(openai, no_usage)),
            "text(Checking)\ntext( Paris at 20 °C)\n"
            "tool(call_Qm3x, get_weather, {\"city\": \"Paris\"})\n"
            "tool(call_Zr7c, get_time, {\"tz\": \"Europe/Paris\"})\n"
            "end(tool_calls)\n");
}

TEST(openai_stream, malformed_json_is_a_final_failure) {
  const auto updates = decode(openai, R"(data: {"choices":[{"index":0,"delta":{"content":"a"}}]}

data: {"choices":[{"index":0,"delta":{"content":"b"

data: {"choices":[{"index":0,"delta":{"content":"c"}}]}

data: [DONE]

)");
  ASSERT_EQ(updates.size(), 2u);
  EXPECT_EQ(describe(updates[0]), "text(a)");
  const auto& failure = std::get<stream_failure>(updates[1]);
  EXPECT_EQ(failure.type, "invalid_json");
  EXPECT_FALSE(failure.retryable);
  EXPECT_NE(failure.message.find("invalid JSON at line 1"), std::string::npos) << failure.message;
  EXPECT_EQ(describe(decode(openai, "data: [1, 2]\n\n")),
            "failure(invalid_json, the provider sent JSON that is not an object)\n");
}

TEST(openai_stream, tool_calls_without_arguments_or_index) {
  // Ollama sends each call whole; some servers omit the index.
  EXPECT_EQ(describe(decode(openai, R"(data: {"choices":[{"index":0,"delta":{"role":"assistant","content":"","tool_calls":[{"id":"call_a","type":"function","function":{"name":"now","arguments":""}},{"id":"call_b","type":"function","function":{"name":"lookup","arguments":"{\"q\":\"x\"}"}}]},"finish_reason":null}]}

data: {"choices":[{"index":0,"delta":{"role":"assistant","content":""},"finish_reason":"tool_calls"}]}

data: [DONE]

)")),
            "tool(call_a, now, {})\ntool(call_b, lookup, {\"q\":\"x\"})\nend(tool_calls)\n");
  // Every call numbered 0: a new id starts a new call.
  EXPECT_EQ(describe(decode(openai, R"(data: {"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"id":"call_a","function":{"name":"f","arguments":"{\"n\":"}}]}}]}

data: {"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"1}"}}]}}]}

data: {"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"id":"call_b","function":{"name":"g","arguments":"{}"}}]}}]}

data: [DONE]

)")),
            "tool(call_a, f, {\"n\":1})\ntool(call_b, g, {})\nend()\n");
}

TEST(openai_stream, a_message_that_never_ends_is_cut_off) {
  auto decoder = make_stream_decoder(openai);
  const std::string mib(1 << 20, 'x');
  std::vector<llm_update> updates;
  for (int i = 0; i < 9 && updates.empty(); ++i)
    updates = decoder->feed(i == 0 ? "data: \"" + mib : mib);
  EXPECT_EQ(describe(updates), "failure(message_too_large, the provider sent a stream message over 8 MiB)\n");
  EXPECT_TRUE(decoder->feed("\"\n\ndata: [DONE]\n\n").empty());
}

TEST(openai_stream, nothing_after_the_end) {
  auto decoder = make_stream_decoder(openai);
  EXPECT_EQ(describe(decoder->feed("data: [DONE]\n\ndata: {\"error\":{\"type\":\"server_error\"}}\n\n")),
            "end()\n");
  EXPECT_TRUE(decoder->feed("data: [DONE]\n\n").empty());
  EXPECT_TRUE(decoder->finish().empty());
}

} // namespace
} // namespace baley::runtime
