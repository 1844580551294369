// The mock LLM provider (tools/mock_llm/server.mjs) checked at the wire, as
// the runtime's providers will see it: OpenAI and Anthropic streams well
// formed, errors in each provider's format, a cut mid-stream, the script
// queue. Skipped when `node` is not installed.
#include "mock_llm_process.hpp"
#include "api_client.hpp"
#include "sse_client.hpp"

#include <gtest/gtest.h>

#include <algorithm>

namespace baley::testing {
namespace {
namespace json = boost::json;
using namespace std::chrono_literals;

class mock_llm : public ::testing::Test {
protected:
  void SetUp() override {
    ASSERT_TRUE(node_available()) << "node is not installed (make test installs it)";
    mock_ = std::make_unique<mock_llm_process>();
    ASSERT_TRUE(mock_->started()) << mock_->diagnostics();
  }

  http_response openai(const std::string& body, const header_list& headers = {}) const {
    return request("POST", mock_->base_url() + "/v1/chat/completions", headers, body, 10s);
  }
  http_response anthropic(const std::string& body, const header_list& headers = {}) const {
    return request("POST", mock_->base_url() + "/v1/messages", headers, body, 10s);
  }

  std::unique_ptr<mock_llm_process> mock_;
};

std::vector<sse_item> events_of(const std::string& body) {
  sse_parser parser;
  auto items = parser.feed(body);
  std::erase_if(items, [](const sse_item& i) { return i.what != sse_item::kind::message; });
  return items;
}

json::value parse(const std::string& text) {
  boost::system::error_code ec;
  auto v = json::parse(text, ec);
  EXPECT_FALSE(ec) << text;
  return ec ? json::value() : v;
}

// The text of `choices[0].delta.content`, "" when absent or null.
std::string delta_content(const json::value& chunk) {
  const auto& choices = chunk.at("choices").as_array();
  if (choices.empty())
    return {};
  const auto* content = choices[0].at("delta").as_object().if_contains("content");
  return content && content->is_string() ? std::string(content->as_string()) : std::string();
}

const std::string user_hello =
  R"("messages":[{"role":"system","content":"be brief"},{"role":"user","content":"say hello to the world"}])";

TEST_F(mock_llm, openai_stream_of_20_tokens_ends_with_usage_and_done) {
  ASSERT_EQ(mock_->script(R"([{"tokens":20}])").status, 200);
  auto r = openai(R"({"model":"gpt-test","stream":true,"stream_options":{"include_usage":true},)" +
                  user_hello + "}");
  ASSERT_EQ(r.status, 200) << r.transport_error;
  EXPECT_NE(r.headers.get("content-type").value_or("").find("text/event-stream"),
            std::string::npos);
  auto events = events_of(r.body);
  ASSERT_GE(events.size(), 4u) << r.body;
  EXPECT_EQ(events.back().data, "[DONE]");

  int tokens = 0;
  std::string text;
  std::string finish;
  for (std::size_t i = 0; i + 2 < events.size(); ++i) {
    auto chunk = parse(events[i].data);
    EXPECT_EQ(string_at(chunk, "object"), "chat.completion.chunk");
    auto content = delta_content(chunk);
    tokens += content.empty() ? 0 : 1;
    text += content;
    const auto& reason = chunk.at("choices").at(0).at("finish_reason");
    if (reason.is_string())
      finish = std::string(reason.as_string());
  }
  EXPECT_EQ(tokens, 20);
  EXPECT_EQ(finish, "stop");
  EXPECT_EQ(text.rfind("say hello to the world say", 0), 0u) << text;  // the echo, cycled

  auto usage_chunk = parse(events[events.size() - 2].data);
  EXPECT_TRUE(usage_chunk.at("choices").as_array().empty());
  const auto& usage = usage_chunk.at("usage");
  EXPECT_EQ(usage.at("prompt_tokens").to_number<int>(), 7);  // words in every message
  EXPECT_EQ(usage.at("completion_tokens").to_number<int>(), 20);
  EXPECT_EQ(usage.at("total_tokens").to_number<int>(), 27);
}

TEST_F(mock_llm, openai_without_streaming_is_one_completion) {
  auto r = openai(R"({"model":"gpt-test",)" + user_hello + "}");
  ASSERT_EQ(r.status, 200) << r.transport_error;
  auto v = r.json();
  EXPECT_EQ(string_at(v, "object"), "chat.completion");
  EXPECT_EQ(string_at(v.at("choices").at(0).at("message"), "content"), "say hello to the world");
  EXPECT_EQ(v.at("usage").at("completion_tokens").to_number<int>(), 5);
}

TEST_F(mock_llm, anthropic_stream_is_well_formed) {
  auto r = anthropic(R"({"model":"claude-test","max_tokens":100,"stream":true,"system":"be brief",)"
                     R"("messages":[{"role":"user","content":[{"type":"text","text":"one two three"}]}]})",
                     {{"x-api-key", "secret-key"}, {"anthropic-version", "2023-06-01"}});
  ASSERT_EQ(r.status, 200) << r.transport_error;
  auto events = events_of(r.body);
  std::vector<std::string> names;
  std::string text;
  for (const auto& e : events) {
    auto data = parse(e.data);
    EXPECT_EQ(string_at(data, "type"), e.event) << "the data's type names its event";
    if (e.event != "ping")
      names.push_back(e.event);
    if (e.event == "message_start") {
      EXPECT_EQ(data.at("message").at("usage").at("input_tokens").to_number<int>(), 5);
    }
    if (e.event == "content_block_delta") {
      EXPECT_EQ(string_at(data.at("delta"), "type"), "text_delta");
      text += string_at(data.at("delta"), "text");
    }
    if (e.event == "message_delta") {
      EXPECT_EQ(string_at(data.at("delta"), "stop_reason"), "end_turn");
      EXPECT_EQ(data.at("usage").at("output_tokens").to_number<int>(), 3);
    }
  }
  std::vector<std::string> expected = {"message_start", "content_block_start",
                                       "content_block_delta", "content_block_delta",
                                       "content_block_delta", "content_block_stop",
                                       "message_delta", "message_stop"};
  EXPECT_EQ(names, expected) << r.body;
  EXPECT_EQ(text, "one two three");
  EXPECT_TRUE(std::any_of(events.begin(), events.end(),
                          [](const sse_item& e) { return e.event == "ping"; }));

  // The key is never recorded, only that it came.
  auto recorded = mock_->requests();
  ASSERT_EQ(recorded.size(), 1u);
  EXPECT_EQ(string_at(recorded[0].at("headers"), "x-api-key"), "[redacted]");
  EXPECT_EQ(string_at(recorded[0].at("headers"), "anthropic-version"), "2023-06-01");
  EXPECT_TRUE(recorded[0].at("apiKey").at("present").as_bool());
  EXPECT_EQ(json::serialize(recorded[0]).find("secret-key"), std::string::npos);
}

TEST_F(mock_llm, rate_limit_carries_retry_after_in_each_providers_format) {
  auto r = openai(R"({"model":"mock-429","stream":true,"messages":[]})");
  EXPECT_EQ(r.status, 429);
  EXPECT_EQ(r.headers.get("retry-after").value_or(""), "1");
  EXPECT_EQ(string_at(r.json().at("error"), "code"), "rate_limit_exceeded");

  ASSERT_EQ(mock_->script(R"([{"status":429,"retryAfter":"2"}])").status, 200);
  r = anthropic(R"({"model":"claude-test","max_tokens":10,"stream":true,"messages":[]})");
  EXPECT_EQ(r.status, 429);
  EXPECT_EQ(r.headers.get("retry-after").value_or(""), "2");
  auto body = r.json();
  EXPECT_EQ(string_at(body, "type"), "error");
  EXPECT_EQ(string_at(body.at("error"), "type"), "rate_limit_error");
}

TEST_F(mock_llm, cut_after_closes_the_connection_mid_stream) {
  auto r = openai(R"({"model":"mock-cut-after-5","stream":true,"messages":[{"role":"user","content":"a b c"}]})");
  EXPECT_EQ(r.status, 0) << "curl saw the transfer end early";
  EXPECT_FALSE(r.transport_error.empty());
  auto events = events_of(r.body);
  int tokens = 0;
  for (const auto& e : events) {
    EXPECT_NE(e.data, "[DONE]");
    tokens += delta_content(parse(e.data)).empty() ? 0 : 1;
  }
  EXPECT_EQ(tokens, 5) << r.body;
}

TEST_F(mock_llm, script_queue_is_consumed_in_order_then_the_default) {
  ASSERT_EQ(mock_->script(R"([{"status":500},{"text":"scripted reply"}])").status, 200);
  auto body = R"({"model":"gpt-test","messages":[{"role":"user","content":"echo me"}]})";
  auto first = openai(body, {{"Authorization", "Bearer sk-do-not-log"}});
  EXPECT_EQ(first.status, 500);
  EXPECT_EQ(string_at(first.json().at("error"), "type"), "server_error");
  auto second = openai(body);
  EXPECT_EQ(string_at(second.json().at("choices").at(0).at("message"), "content"), "scripted reply");
  auto third = openai(body);
  EXPECT_EQ(string_at(third.json().at("choices").at(0).at("message"), "content"), "echo me");

  auto recorded = mock_->requests();
  ASSERT_EQ(recorded.size(), 3u);
  EXPECT_EQ(string_at(recorded[0], "path"), "/v1/chat/completions");
  EXPECT_EQ(string_at(recorded[0].at("body"), "model"), "gpt-test");
  EXPECT_EQ(string_at(recorded[0].at("authorization"), "scheme"), "Bearer");
  EXPECT_EQ(json::serialize(recorded).find("sk-do-not-log"), std::string::npos);
  EXPECT_FALSE(recorded[1].at("authorization").at("present").as_bool());

  // A bad behaviour is refused; clear() empties queue and records.
  EXPECT_EQ(mock_->script(R"([{"tokenz":3}])").status, 400);
  ASSERT_EQ(mock_->script(R"([{"status":503}])").status, 200);
  mock_->clear();
  EXPECT_TRUE(mock_->requests().empty());
  EXPECT_EQ(openai(body).status, 200);
}

TEST_F(mock_llm, tool_call_arguments_arrive_in_fragments) {
  ASSERT_EQ(mock_->script(R"([{"toolCall":{"name":"lookup","arguments":{"city":"Paris","days":3}}}])")
              .status, 200);
  auto r = openai(R"({"model":"gpt-test","stream":true,"messages":[]})");
  ASSERT_EQ(r.status, 200);
  std::string name, arguments, finish;
  int fragments = 0;
  for (const auto& e : events_of(r.body)) {
    if (e.data == "[DONE]")
      continue;
    auto chunk = parse(e.data);
    const auto& choice = chunk.at("choices").at(0);
    if (choice.at("finish_reason").is_string())
      finish = std::string(choice.at("finish_reason").as_string());
    auto* calls = choice.at("delta").as_object().if_contains("tool_calls");
    if (!calls)
      continue;
    const auto& function = calls->at(0).at("function");
    if (auto* n = function.as_object().if_contains("name"))
      name = std::string(n->as_string());
    arguments += string_at(function, "arguments");
    ++fragments;
  }
  EXPECT_EQ(name, "lookup");
  EXPECT_GE(fragments, 2);
  EXPECT_EQ(parse(arguments), parse(R"({"city":"Paris","days":3})"));
  EXPECT_EQ(finish, "tool_calls");
}

TEST_F(mock_llm, stream_error_arrives_inside_the_stream) {
  ASSERT_EQ(mock_->script(R"([{"tokens":2,"streamError":{"type":"overloaded_error","message":"busy","afterTokens":2}}])")
              .status, 200);
  auto r = anthropic(R"({"model":"claude-test","max_tokens":10,"stream":true,"messages":[]})");
  ASSERT_EQ(r.status, 200);
  auto events = events_of(r.body);
  ASSERT_FALSE(events.empty());
  EXPECT_EQ(events.back().event, "error");
  EXPECT_EQ(string_at(parse(events.back().data).at("error"), "type"), "overloaded_error");
  EXPECT_EQ(std::count_if(events.begin(), events.end(),
                          [](const sse_item& e) { return e.event == "content_block_delta"; }),
            2);

  r = openai(R"({"model":"mock-overloaded","stream":true,"messages":[]})");
  ASSERT_EQ(r.status, 200);
  events = events_of(r.body);
  ASSERT_FALSE(events.empty());
  EXPECT_EQ(string_at(parse(events.back().data).at("error"), "type"), "overloaded_error");
}

TEST_F(mock_llm, stall_sends_headers_then_nothing) {
  auto began = std::chrono::steady_clock::now();
  auto r = request("POST", mock_->base_url() + "/v1/chat/completions", {},
                   std::string(R"({"model":"mock-stall","stream":true,"messages":[]})"), 500ms);
  EXPECT_EQ(r.status, 0);
  EXPECT_GE(std::chrono::steady_clock::now() - began, 450ms);
  EXPECT_TRUE(r.headers.has("content-type")) << "headers came before the silence";
  EXPECT_TRUE(r.body.empty());
}

TEST_F(mock_llm, paced_tokens_are_timed) {
  auto r = openai(R"({"model":"mock-tokens-5-at-100","stream":true,"messages":[]})");
  ASSERT_EQ(r.status, 200);
  auto timings = mock_->timings();
  ASSERT_EQ(timings.size(), 1u);
  const auto& tokens = timings[0].at("tokens").as_array();
  ASSERT_EQ(tokens.size(), 5u);
  auto first = tokens[0].at("writtenAtMs").to_number<double>();
  auto last = tokens[4].at("writtenAtMs").to_number<double>();
  EXPECT_GE(last - first, 35.0);  // 4 gaps of 10 ms
}

TEST_F(mock_llm, bad_requests_are_answered_not_fatal) {
  auto r = openai("{not json");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(string_at(r.json().at("error"), "type"), "invalid_request_error");
  r = anthropic(R"({"model":"claude-test","messages":[]})");  // no max_tokens
  EXPECT_EQ(r.status, 400);
  r = openai(std::string(1100 * 1024, 'x'));
  EXPECT_EQ(r.status, 413);
  EXPECT_EQ(openai(R"({"model":"gpt-test","messages":[]})").status, 200);
}

} // namespace
} // namespace baley::testing
