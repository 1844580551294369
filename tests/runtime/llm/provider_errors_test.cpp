// Tests for runtime/provider_errors: retryable classes, Retry-After in both
// forms, the providers' own messages, redaction, and the debug body.
#include "runtime/llm/provider_errors.hpp"

#include "runtime/time_format.hpp"

#include <gtest/gtest.h>

#include <string>

namespace baley::runtime {
namespace {

const std::string key = "sk-proj-abc123SECRET";

provider_call call(bool debug = false) {
  return provider_call{"openai", "Prod OpenAI", "gpt-4o-mini", 2, 3, key, debug};
}

unix_ms at(const char* rfc3339) { return *parse_rfc3339_ms(rfc3339); }

TEST(provider_errors, retryable_http_statuses) {
  for (int s : {408, 429, 500, 502, 503, 504, 529})
    EXPECT_TRUE(is_retryable_status(s)) << s;
  for (int s : {200, 301, 400, 401, 403, 404, 409, 413, 422})
    EXPECT_FALSE(is_retryable_status(s)) << s;
}

TEST(provider_errors, retryable_transport_failures) {
  for (auto k : {transport_error::timeout, transport_error::connection_reset,
                 transport_error::connection_refused, transport_error::stream_cut,
                 transport_error::name_resolution})
    EXPECT_TRUE(transport_failure(call(), k).retryable) << describe(k);
  EXPECT_FALSE(transport_failure(call(), transport_error::tls).retryable);
  EXPECT_FALSE(transport_failure(call(), transport_error::other).retryable);
  auto f = transport_failure(call(), transport_error::timeout, "no bytes for 30000 ms");
  EXPECT_EQ(f.message, "openai connection 'Prod OpenAI', model gpt-4o-mini: timed out: "
                       "no bytes for 30000 ms (attempt 2 of 3)");
}

TEST(provider_errors, retry_after_delta_seconds) {
  EXPECT_EQ(parse_retry_after("120", 0), 120'000);
  EXPECT_EQ(parse_retry_after(" 0 ", 0), 0);
  EXPECT_EQ(parse_retry_after("1.5", 0), 1500);
  EXPECT_EQ(parse_retry_after("999999999999999999999", 0), max_retry_after_ms);
  for (auto bad : {"", "  ", "-1", "1e3", "abc", "12s", "1.", ".5"})
    EXPECT_FALSE(parse_retry_after(bad, 0)) << bad;
}

TEST(provider_errors, retry_after_http_dates) {
  auto now = at("1994-11-06T08:49:00Z");
  EXPECT_EQ(parse_retry_after("Sun, 06 Nov 1994 08:49:37 GMT", now), 37'000);
  EXPECT_EQ(parse_retry_after("Sunday, 06-Nov-94 08:49:37 GMT", now), 37'000);
  EXPECT_EQ(parse_retry_after("Sun Nov  6 08:49:37 1994", now), 37'000);
  EXPECT_EQ(parse_retry_after("Sun, 06 Nov 1994 08:48:00 GMT", now), 0);  // past
  EXPECT_EQ(parse_retry_after("Mon, 07 Nov 1994 08:49:00 GMT", now), max_retry_after_ms);
  EXPECT_EQ(parse_retry_after("Thu, 01 Jan 2026 00:00:10 GMT", at("2026-01-01T00:00:00Z")),
            10'000);
  for (auto bad : {"Sun, 06 Foo 1994 08:49:37 GMT", "Sun, 06 Nov 1994 GMT",
                   "Sun, 32 Nov 1994 08:49:37 GMT", "Sun, 06 Nov 1994 25:49:37 GMT",
                   "tomorrow"})
    EXPECT_FALSE(parse_retry_after(bad, now)) << bad;
}

TEST(provider_errors, the_providers_own_message) {
  EXPECT_EQ(provider_error_message(
              R"({"error":{"message":"Rate limit reached","type":"requests","code":null}})"),
            "Rate limit reached");
  EXPECT_EQ(provider_error_message(
              R"({"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}})"),
            "Overloaded");
  EXPECT_EQ(provider_error_message(R"({"error":"model 'x' not found"})"), "model 'x' not found");
  for (auto none : {"", "not json", "<html>502</html>", "[]", R"({"message":"x"})",
                    R"({"error":{"message":""}})", R"({"error":{"code":1}})"})
    EXPECT_FALSE(provider_error_message(none)) << none;
}

TEST(provider_errors, http_failure_message_and_class) {
  auto f = http_failure(call(), 429, R"({"error":{"message":"Rate limit reached"}})",
                        "7", 0);
  EXPECT_TRUE(f.retryable);
  EXPECT_EQ(f.retry_after_ms, 7000);
  EXPECT_EQ(f.message, "openai connection 'Prod OpenAI', model gpt-4o-mini: "
                       "HTTP 429 Too Many Requests: Rate limit reached (attempt 2 of 3)");
  auto anthropic = http_failure(
    provider_call{"anthropic", "claude", "claude-3-5-haiku", 1, 1, "", false}, 529,
    R"({"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}})", "",
    0);
  EXPECT_TRUE(anthropic.retryable);
  EXPECT_FALSE(anthropic.retry_after_ms);
  EXPECT_EQ(anthropic.message, "anthropic connection 'claude', model claude-3-5-haiku: "
                               "HTTP 529 Overloaded: Overloaded (attempt 1 of 1)");
  auto plain = http_failure(call(), 404, "<html>not found</html>", "", 0);
  EXPECT_FALSE(plain.retryable);
  EXPECT_EQ(plain.message, "openai connection 'Prod OpenAI', model gpt-4o-mini: "
                           "HTTP 404 Not Found (attempt 2 of 3)");
}

TEST(provider_errors, the_key_never_appears) {
  EXPECT_EQ(redact("a KEY b KEYKEY", "KEY"), "a [redacted] b [redacted][redacted]");
  EXPECT_EQ(redact("nothing", ""), "nothing");
  auto body = R"({"error":{"message":"Incorrect API key provided: )" + key + R"("}})";
  for (bool debug : {false, true}) {
    auto f = http_failure(call(debug), 401, body, "", 0);
    EXPECT_FALSE(f.retryable);
    EXPECT_EQ(f.message.find(key), std::string::npos) << f.message;
    EXPECT_NE(f.message.find("Incorrect API key provided: [redacted]"), std::string::npos)
      << f.message;
  }
  auto c = call();
  c.connection = "named " + key;
  EXPECT_EQ(transport_failure(c, transport_error::timeout, key).message.find(key),
            std::string::npos);
}

TEST(provider_errors, debug_appends_the_raw_body_cut_to_2_kib) {
  auto body = R"({"error":{"message":"bad"},"x":")" + std::string(3000, 'y') + "\"}";
  auto quiet = http_failure(call(false), 400, body, "", 0);
  EXPECT_EQ(quiet.message.find("response body"), std::string::npos);
  auto loud = http_failure(call(true), 400, body, "", 0);
  auto head = "(attempt 2 of 3)\nresponse body (first 2048 of "
              + std::to_string(body.size()) + " bytes): ";
  auto pos = loud.message.find(head);
  ASSERT_NE(pos, std::string::npos) << loud.message.substr(0, 200);
  EXPECT_EQ(loud.message.substr(pos + head.size()), body.substr(0, 2048));
  auto small = http_failure(call(true), 500, "upstream died", "", 0);
  EXPECT_TRUE(small.retryable);
  EXPECT_TRUE(small.message.ends_with("(attempt 2 of 3)\nresponse body: upstream died"))
    << small.message;
}

TEST(provider_errors, debug_body_is_not_cut_inside_a_utf8_character) {
  std::string body = std::string(2047, 'a') + "\xC3\xA9" + "tail";  // é at 2047..2048
  auto f = http_failure(call(true), 500, body, "", 0);
  EXPECT_TRUE(f.message.ends_with(": " + std::string(2047, 'a'))) << f.message.size();
}

TEST(provider_errors, stream_schema_and_breaker_failures) {
  auto s = stream_error(call(), stream_failure{"overloaded_error", "Overloaded", true});
  EXPECT_TRUE(s.retryable);
  EXPECT_NE(s.message.find("overloaded_error: Overloaded (attempt 2 of 3)"),
            std::string::npos) << s.message;
  auto v = schema_failure(call(true), "/name: expected string", "{\"name\":1}");
  EXPECT_FALSE(v.retryable);
  EXPECT_NE(v.message.find("output does not match outputSchema: /name: expected string"),
            std::string::npos) << v.message;
  EXPECT_NE(v.message.find("{\"name\":1}"), std::string::npos);
  breaker_permit refused{false, false, "circuit breaker open", 10'500, std::nullopt};
  auto b = breaker_refusal(call(), refused, 10'000);
  EXPECT_TRUE(b.retryable);
  EXPECT_EQ(b.retry_after_ms, 500);
  EXPECT_NE(b.message.find("circuit breaker open"), std::string::npos);
}

} // namespace
} // namespace baley::runtime
