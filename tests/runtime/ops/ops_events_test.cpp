// Tests for runtime/ops_events: breaker_changed and webhook_called written as
// hand-written wire text, parsed back from it, and malformed text refused.
#include "runtime/ops/ops_events.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <string>
#include <vector>

namespace baley::runtime {
namespace {

namespace json = boost::json;

constexpr unix_ms ts = 1'732'802'587'123;  // 2024-11-28T14:03:07.123Z

const ops_event breaker{ts, breaker_changed{.connection_id = "conn-1", .model = "gpt-x",
                                            .from = breaker_state::half_open,
                                            .to = breaker_state::open}};
constexpr std::string_view breaker_text =
  R"({"type":"breaker_changed","ts":"2024-11-28T14:03:07.123Z","connectionId":"conn-1",)"
  R"("model":"gpt-x","from":"half_open","to":"open"})";

const ops_event accepted{ts, webhook_called{.call_id = "call-9", .flow_id = "flow-1",
                                            .received_at = ts - 23, .status = 202,
                                            .execution_id = "exec-1",
                                            .remote_addr = "203.0.113.7", .body_bytes = 512,
                                            .latency_ms = 1.25}};
constexpr std::string_view accepted_text =
  R"({"type":"webhook_called","ts":"2024-11-28T14:03:07.123Z","flowId":"flow-1",)"
  R"("id":"call-9","receivedAt":"2024-11-28T14:03:07.100Z","status":202,)"
  R"("executionId":"exec-1","error":null,"remoteAddr":"203.0.113.7","bodyBytes":512,)"
  R"("latencyMs":1.25E0})";

// Refused: no execution, an error, and latency rounded to microseconds.
const ops_event refused{ts, webhook_called{.call_id = "call-10", .flow_id = "flow-1",
                                           .received_at = ts, .status = 429,
                                           .error = "rate limited", .remote_addr = "::1",
                                           .latency_ms = 12.3456}};
constexpr std::string_view refused_text =
  R"({"type":"webhook_called","ts":"2024-11-28T14:03:07.123Z","flowId":"flow-1",)"
  R"("id":"call-10","receivedAt":"2024-11-28T14:03:07.123Z","status":429,)"
  R"("executionId":null,"error":"rate limited","remoteAddr":"::1","bodyBytes":0,)"
  R"("latencyMs":1.2346E1})";

std::string parse_error(std::string_view text) {
  auto parsed = parse_ops_event(text);
  EXPECT_FALSE(parsed) << text;
  if (parsed)
    return {};
  EXPECT_EQ(parsed.error().code, "invalid_event") << text;
  return parsed.error().message;
}

TEST(ops_events, each_event_is_written_as_its_wire_text) {
  EXPECT_EQ(serialize_ops_event(breaker), breaker_text);
  EXPECT_EQ(serialize_ops_event(accepted), accepted_text);
  EXPECT_EQ(serialize_ops_event(refused), refused_text);
}

TEST(ops_events, breaker_changed_parses_back_from_its_wire_text) {
  for (auto [from, to] : {std::pair{"closed", breaker_state::open},
                          std::pair{"open", breaker_state::half_open},
                          std::pair{"half_open", breaker_state::closed}}) {
    auto text = R"({"type":"breaker_changed","ts":"2024-11-28T14:03:07.123Z",)"
                R"("connectionId":"c","model":"m","from":")" + std::string(from)
                + R"(","to":")" + std::string(breaker_state_name(to)) + R"("})";
    auto parsed = parse_ops_event(text);
    ASSERT_TRUE(parsed) << text << ": " << parsed.error().message;
    EXPECT_EQ(parsed->ts, ts);
    const auto& b = std::get<breaker_changed>(parsed->payload);
    EXPECT_EQ(b.connection_id, "c");
    EXPECT_EQ(b.model, "m");
    EXPECT_EQ(breaker_state_name(b.from), from);
    EXPECT_EQ(b.to, to);
  }
}

TEST(ops_events, webhook_called_parses_back_from_its_wire_text) {
  auto parsed = parse_ops_event(accepted_text);
  ASSERT_TRUE(parsed) << parsed.error().message;
  EXPECT_EQ(parsed->ts, ts);
  const auto& c = std::get<webhook_called>(parsed->payload);
  EXPECT_EQ(c.call_id, "call-9");
  EXPECT_EQ(c.flow_id, "flow-1");
  EXPECT_EQ(c.received_at, 1'732'802'587'100);
  EXPECT_EQ(c.status, 202);
  EXPECT_EQ(c.execution_id, "exec-1");
  EXPECT_EQ(c.error, "");
  EXPECT_EQ(c.remote_addr, "203.0.113.7");
  EXPECT_EQ(c.body_bytes, 512u);
  EXPECT_EQ(c.latency_ms, 1.25);
  auto again = parse_ops_event(refused_text);
  ASSERT_TRUE(again) << again.error().message;
  const auto& r = std::get<webhook_called>(again->payload);
  EXPECT_EQ(r.execution_id, "");
  EXPECT_EQ(r.error, "rate limited");
  EXPECT_EQ(r.latency_ms, 12.346);
  EXPECT_EQ(serialize_ops_event(*again), refused_text);
}

TEST(ops_events, webhook_call_entry_has_exactly_the_log_keys) {
  const auto& call = std::get<webhook_called>(accepted.payload);
  EXPECT_EQ(json::serialize(webhook_call_entry(call)),
            R"({"id":"call-9","receivedAt":"2024-11-28T14:03:07.100Z","status":202,)"
            R"("executionId":"exec-1","error":null,"remoteAddr":"203.0.113.7",)"
            R"("bodyBytes":512,"latencyMs":1.25E0})");
}

TEST(ops_events, malformed_text_is_refused) {
  for (auto text : {"", "{", "[]", "null", R"("breaker_changed")"})
    EXPECT_EQ(parse_error(text), "event is not a JSON object") << text;
}

TEST(ops_events, unknown_type_and_state_are_refused) {
  EXPECT_EQ(parse_error(R"({"type":"breaker_opened","ts":"2024-11-28T14:03:07.123Z"})"),
            "unknown event type 'breaker_opened'");
  EXPECT_EQ(parse_error(R"({"ts":"2024-11-28T14:03:07.123Z"})"), "unknown event type ''");
  EXPECT_EQ(parse_error(R"({"type":"breaker_changed","ts":"2024-11-28T14:03:07.123Z",)"
                        R"("from":"closed","to":"ajar"})"),
            "breaker_changed: unknown breaker state");
  EXPECT_EQ(parse_error(R"({"type":"breaker_changed","ts":"2024-11-28T14:03:07.123Z",)"
                        R"("to":"open"})"),
            "breaker_changed: unknown breaker state");
}

TEST(ops_events, a_field_of_the_wrong_kind_is_refused) {
  EXPECT_EQ(parse_error(R"({"type":"webhook_called","ts":"2024-11-28T14:03:07.123Z",)"
                        R"("receivedAt":"2024-11-28T14:03:07.100Z","status":"202"})"),
            "webhook_called: status is not a whole number");
  EXPECT_EQ(parse_error(R"({"type":"breaker_changed","ts":"2024-11-28T14:03:07.123Z",)"
                        R"("connectionId":7,"from":"open","to":"closed"})"),
            "breaker_changed: connectionId is not a string");
}

TEST(ops_events, an_unreadable_time_is_refused) {
  for (auto text : {R"({"type":"breaker_changed","from":"open","to":"closed"})",
                    R"({"type":"breaker_changed","ts":"now","from":"open","to":"closed"})",
                    R"({"type":"webhook_called","ts":"2024-11-28T14:03:07.123Z",)"
                    R"("receivedAt":"2024-11-28 14:03"})"}) {
    auto parsed = parse_ops_event(text);
    ASSERT_FALSE(parsed) << text;
    EXPECT_EQ(parsed.error().code, "invalid_time") << text;
  }
}

} // namespace
} // namespace baley::runtime
