// Tests for runtime/llm_request: the streaming request bodies of both wires
// (optional fields, output schemas) and the endpoint URLs.
#include "runtime/llm/llm_request.hpp"

#include "runtime/json_text.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <string>

namespace baley::runtime {
namespace {

boost::json::value body(llm_wire wire, const llm_request& request) {
  auto parsed = parse_json(llm_request_body(wire, request));
  EXPECT_TRUE(parsed.has_value());
  return parsed ? *parsed : boost::json::value();
}

boost::json::value json(std::string_view text) {
  auto parsed = parse_json(text);
  EXPECT_TRUE(parsed.has_value()) << text;
  return parsed ? *parsed : boost::json::value();
}

#define EXPECT_JSON_EQ(actual, expected_text)                                    \
  EXPECT_TRUE(json_equal((actual), json(expected_text)))                         \
      << "actual:   " << to_json_text(actual) << "\nexpected: " << (expected_text)

llm_request summarize() {
  llm_request r;
  r.model = "gpt-4o-mini";
  r.system_prompt = "You are terse.";
  r.user_message = "Summarize: the cat sat.";
  return r;
}

const char* const schema = R"({"type":"object","properties":{"summary":{"type":"string"}},"required":["summary"]})";

TEST(llm_request, openai_body) {
  EXPECT_JSON_EQ(body(llm_wire::openai, summarize()), R"({
    "model": "gpt-4o-mini",
    "messages": [{"role": "system", "content": "You are terse."},
                 {"role": "user", "content": "Summarize: the cat sat."}],
    "stream": true, "stream_options": {"include_usage": true}})");
}

TEST(llm_request, openai_body_with_every_option) {
  auto r = summarize();
  r.temperature = 0.25;
  r.max_tokens = 300;
  r.output_schema = json(schema);
  EXPECT_JSON_EQ(body(llm_wire::openai, r), std::string(R"({
    "model": "gpt-4o-mini",
    "messages": [{"role": "system", "content": "You are terse."},
                 {"role": "user", "content": "Summarize: the cat sat."}],
    "stream": true, "stream_options": {"include_usage": true},
    "temperature": 0.25, "max_tokens": 300,
    "response_format": {"type": "json_schema",
                        "json_schema": {"name": "output", "strict": false, "schema": )") +
                                          schema + "}}}");
}

TEST(llm_request, openai_body_without_a_system_prompt_has_no_system_message) {
  auto r = summarize();
  r.system_prompt.clear();
  const auto b = body(llm_wire::openai, r);
  EXPECT_JSON_EQ(b.at("messages"), R"([{"role": "user", "content": "Summarize: the cat sat."}])");
}

TEST(llm_request, anthropic_body_defaults_max_tokens) {
  auto r = summarize();
  r.model = "claude-3-5-haiku-20241022";
  EXPECT_JSON_EQ(body(llm_wire::anthropic, r), R"({
    "model": "claude-3-5-haiku-20241022", "system": "You are terse.",
    "messages": [{"role": "user", "content": "Summarize: the cat sat."}],
    "max_tokens": 1024, "stream": true})");
  r.system_prompt.clear();
  r.max_tokens = 50;
  r.temperature = 0;
  EXPECT_JSON_EQ(body(llm_wire::anthropic, r), R"({
    "model": "claude-3-5-haiku-20241022",
    "messages": [{"role": "user", "content": "Summarize: the cat sat."}],
    "max_tokens": 50, "temperature": 0, "stream": true})");
}

TEST(llm_request, anthropic_puts_the_output_schema_in_the_system_prompt) {
  auto r = summarize();
  r.output_schema = json(schema);
  const auto b = body(llm_wire::anthropic, r);
  EXPECT_FALSE(b.as_object().contains("response_format"));
  EXPECT_EQ(b.at("system").as_string(),
            std::string("You are terse.\n\nAnswer with only a JSON value, no other text, that "
                        "matches this JSON Schema:\n") + schema);
  r.system_prompt.clear();
  EXPECT_EQ(body(llm_wire::anthropic, r).at("system").as_string(),
            std::string("Answer with only a JSON value, no other text, that matches this JSON "
                        "Schema:\n") + schema);
}

TEST(llm_request, text_is_escaped) {
  auto r = summarize();
  r.user_message = "quote \" backslash \\ newline \n tab \t é";
  const auto b = body(llm_wire::openai, r);
  EXPECT_EQ(b.at("messages").at(1).at("content").as_string(), r.user_message);
}

TEST(llm_request, endpoints) {
  EXPECT_EQ(llm_endpoint(llm_wire::openai, "https://api.openai.com"),
            "https://api.openai.com/v1/chat/completions");
  EXPECT_EQ(llm_endpoint(llm_wire::openai, "https://api.openai.com/"),
            "https://api.openai.com/v1/chat/completions");
  EXPECT_EQ(llm_endpoint(llm_wire::openai, "https://api.openai.com/v1"),
            "https://api.openai.com/v1/chat/completions");
  EXPECT_EQ(llm_endpoint(llm_wire::openai, "https://api.openai.com/v1/"),
            "https://api.openai.com/v1/chat/completions");
  EXPECT_EQ(llm_endpoint(llm_wire::openai, "http://localhost:11434/v1//"),
            "http://localhost:11434/v1/chat/completions");
  EXPECT_EQ(llm_endpoint(llm_wire::openai, "https://openrouter.ai/api/v1"),
            "https://openrouter.ai/api/v1/chat/completions");
  EXPECT_EQ(llm_endpoint(llm_wire::openai, "http://127.0.0.1:8080"),
            "http://127.0.0.1:8080/v1/chat/completions");
  EXPECT_EQ(llm_endpoint(llm_wire::openai, "http://host/v10"), "http://host/v10/v1/chat/completions");
  EXPECT_EQ(llm_endpoint(llm_wire::anthropic, "https://api.anthropic.com"),
            "https://api.anthropic.com/v1/messages");
  EXPECT_EQ(llm_endpoint(llm_wire::anthropic, "https://api.anthropic.com/v1/"),
            "https://api.anthropic.com/v1/messages");
}

} // namespace
} // namespace baley::runtime
