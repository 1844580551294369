// Tests for runtime/events: every execution event survives serialize/parse with
// its optional fields present and absent; key order; errors.
#include "runtime/execution/events.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <set>
#include <string>
#include <vector>

namespace baley::runtime {
namespace {

namespace json = boost::json;

constexpr unix_ms ts = 1'732'802'587'123;  // 2024-11-28T14:03:07.123Z

// Each alternative once with every optional field set and once with none.
std::vector<execution_event> all_events() {
  json::value tokens = json::object{{"input", 12}, {"output", 30}};
  return {
    {ts, execution_start{json::object{{"q", "hi"}}, "flow-1", 3, "api"}},
    {ts, execution_start{nullptr, "", 0, ""}},
    {ts, node_start{"n", "bx-1", 2, json::array{1, 2}, 4u, ts + 500}},
    {ts, node_start{"n", "bx-1", 1, json::object{}, std::nullopt, std::nullopt}},
    {ts, node_stream{"n", json::object{{"type", "text_delta"}, {"content", "he"}}, 1u}},
    {ts, node_stream{"n", json::object{{"type", "tool_call"}}, std::nullopt}},
    {ts, node_complete{"n", "out", 42, 0u, "urgent", tokens, 0.25, "gpt-x"}},
    {ts, node_complete{"n", nullptr, 0, std::nullopt, std::nullopt, nullptr,
                       std::nullopt, std::nullopt}},
    {ts, node_error{"n", "boom", 3, true, 7u}},
    {ts, node_error{"n", "boom", 1, false, std::nullopt}},
    {ts, node_retry{"n", 2, 400, "timeout", 5u}},
    {ts, node_retry{"n", 3, 0, "", std::nullopt}},
    {ts, node_skipped{"n", "route not chosen"}},
    {ts, node_fallback{"n", "model-a", "model-b"}},
    {ts, execution_complete{json::object{{"ok", true}},
                            json::object{{"totalTokens", 42}, {"totalCost", 0.5}}}},
    {ts, execution_complete{nullptr, json::object{}}},
    {ts, execution_error{"node failed", "n"}},
    {ts, execution_error{"no source", ""}},
    {ts, execution_cancelled{"user asked"}},
    {ts, execution_cancelled{""}},
  };
}

std::vector<std::string> keys_of(const std::string& text) {
  std::vector<std::string> keys;
  auto parsed = json::parse(text);
  for (const auto& kv : parsed.as_object())
    keys.emplace_back(kv.key());
  return keys;
}

TEST(events, every_alternative_is_covered) {
  std::set<std::size_t> seen;
  for (const auto& e : all_events())
    seen.insert(e.payload.index());
  EXPECT_EQ(seen.size(), std::variant_size_v<execution_event_payload>);
}

TEST(events, round_trip_keeps_every_field) {
  for (const auto& original : all_events()) {
    auto text = serialize_event(original);
    SCOPED_TRACE(text);
    auto parsed = parse_event(text);
    ASSERT_TRUE(parsed) << parsed.error().message;
    EXPECT_EQ(parsed->ts, original.ts);
    EXPECT_EQ(parsed->payload.index(), original.payload.index());
    // serialize writes every field it has, so equal text means equal events.
    EXPECT_EQ(serialize_event(*parsed), text);
  }
}

TEST(events, type_first_then_ts) {
  for (const auto& e : all_events()) {
    auto keys = keys_of(serialize_event(e));
    ASSERT_GE(keys.size(), 2u);
    EXPECT_EQ(keys[0], "type");
    EXPECT_EQ(keys[1], "ts");
    EXPECT_EQ(json::parse(serialize_event(e)).at("type").as_string(), type_name(e.payload));
  }
  auto text = serialize_event(all_events()[0]);
  EXPECT_EQ(text.rfind(R"({"type":"execution_start","ts":"2024-11-28T14:03:07.123Z",)", 0), 0u)
    << text;
}

TEST(events, optional_fields_absent_are_not_written) {
  auto full = all_events();
  EXPECT_EQ(keys_of(serialize_event(full[6])),
            (std::vector<std::string>{"type", "ts", "nodeId", "output", "durationMs",
                                      "iteration", "route", "tokens", "cost", "model"}));
  EXPECT_EQ(keys_of(serialize_event(full[7])),
            (std::vector<std::string>{"type", "ts", "nodeId", "output", "durationMs"}));
  EXPECT_EQ(keys_of(serialize_event(full[3])),
            (std::vector<std::string>{"type", "ts", "nodeId", "blockExecutionId",
                                      "attempt", "input"}));
  EXPECT_EQ(keys_of(serialize_event(full[17])),
            (std::vector<std::string>{"type", "ts", "error"}));
  EXPECT_EQ(keys_of(serialize_event(full[19])), (std::vector<std::string>{"type", "ts"}));
}

TEST(events, parsed_fields_have_their_values) {
  auto start = parse_event(serialize_event(all_events()[2]));
  ASSERT_TRUE(start);
  const auto& s = std::get<node_start>(start->payload);
  EXPECT_EQ(s.node_id, "n");
  EXPECT_EQ(s.attempt, 2u);
  EXPECT_EQ(s.iteration, 4u);
  EXPECT_EQ(s.deadline, ts + 500);

  auto bare = parse_event(serialize_event(all_events()[7]));
  ASSERT_TRUE(bare);
  const auto& c = std::get<node_complete>(bare->payload);
  EXPECT_FALSE(c.iteration);
  EXPECT_FALSE(c.route);
  EXPECT_FALSE(c.cost);
  EXPECT_FALSE(c.model);
  EXPECT_TRUE(c.tokens.is_null());
}

TEST(events, terminal_events) {
  std::set<std::string_view> terminal;
  for (const auto& e : all_events())
    if (is_terminal(e.payload))
      terminal.insert(type_name(e.payload));
  EXPECT_EQ(terminal, (std::set<std::string_view>{"execution_complete", "execution_error",
                                                  "execution_cancelled"}));
}

TEST(events, unknown_type_is_an_error) {
  auto parsed = parse_event(R"({"type":"node_teleport","ts":"2024-11-28T14:03:07.123Z"})");
  ASSERT_FALSE(parsed);
  EXPECT_EQ(parsed.error().code, "invalid_event");
  EXPECT_NE(parsed.error().message.find("node_teleport"), std::string::npos);
}

TEST(events, malformed_text_is_an_error) {
  EXPECT_FALSE(parse_event("not json"));
  EXPECT_FALSE(parse_event("[1,2]"));
  EXPECT_FALSE(parse_event(R"({"type":"node_start","ts":"yesterday"})"));
  auto wrong_kind =
    parse_event(R"({"type":"node_start","ts":"2024-11-28T14:03:07.123Z","nodeId":7})");
  ASSERT_FALSE(wrong_kind);
  EXPECT_EQ(wrong_kind.error().code, "invalid_event");
}

} // namespace
} // namespace baley::runtime
