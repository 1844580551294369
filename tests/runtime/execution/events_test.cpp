// Tests for runtime/events: every execution event, with its optional fields
// present and absent, is written as a hand-written wire text and parsed back
// from it; key order; old events; errors.
#include "runtime/execution/events.hpp"

#include "tests/runtime/wire_text.hpp"

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
    {ts, execution_start{.input = json::object{{"q", "hi"}},
                         .flow_id = "flow-1",
                         .flow_version = 3,
                         .triggered_by = "webhook",
                         .trigger = {.kind = trigger_kind::webhook, .webhook_call_id = "call-9"},
                         .workspace_id = "ws-1",
                         .block_versions = {{"blk-1", 4}}}},
    {ts, execution_start{.input = nullptr, .flow_id = "", .flow_version = 0,
                         .triggered_by = "api"}},
    {ts, node_start{.node_id = "n", .block_execution_id = "bx-1", .attempt = 2,
                    .input = json::array{1, 2}, .iteration = 4u, .deadline = ts + 500}},
    {ts, node_start{.node_id = "n", .block_execution_id = "bx-1", .attempt = 1,
                    .input = json::object{}}},
    {ts, node_stream{.node_id = "n",
                     .event = json::object{{"type", "text_delta"}, {"content", "he"}},
                     .iteration = 1u}},
    {ts, node_stream{.node_id = "n", .event = json::object{{"type", "tool_call"}}}},
    {ts, node_complete{.node_id = "n", .output = "out", .duration_ms = 42, .iteration = 0u,
                       .route = "urgent", .tokens = tokens, .cost = 0.25, .model = "gpt-x",
                       .ttft_ms = 180, .tokens_per_second = 55.5}},
    {ts, node_complete{.node_id = "n", .output = nullptr, .duration_ms = 0}},
    {ts, node_error{.node_id = "n", .error = "boom", .attempt = 3, .retryable = true,
                    .iteration = 7u, .code = "limit_exceeded"}},
    {ts, node_error{.node_id = "n", .error = "boom", .attempt = 1}},
    {ts, node_retry{.node_id = "n", .attempt = 2, .delay_ms = 400, .error = "timeout",
                    .iteration = 5u}},
    {ts, node_retry{.node_id = "n", .attempt = 3, .delay_ms = 0, .error = ""}},
    {ts, node_skipped{.node_id = "n", .reason = "route not chosen"}},
    {ts, node_fallback{.node_id = "n", .from = "model-a", .to = "model-b"}},
    {ts, execution_complete{.output = json::object{{"ok", true}},
                            .metrics = json::object{{"totalTokens", 42}, {"totalCost", 0.5}}}},
    {ts, execution_complete{.output = nullptr, .metrics = json::object{}}},
    {ts, execution_error{.error = "node failed", .node_id = "n", .code = "jq_error"}},
    {ts, execution_error{.error = "no source"}},
    {ts, execution_cancelled{.reason = "user asked"}},
    {ts, execution_cancelled{}},
  };
}

// The exact wire text of each of all_events(): names, order and values as
// DESIGN.md and API.md spell them, written out by hand.
const std::vector<std::string>& wire_texts() {
  static const std::vector<std::string> texts = {
    R"({"type":"execution_start","ts":"2024-11-28T14:03:07.123Z","input":{"q":"hi"},)"
    R"("flowId":"flow-1","flowVersion":3,"triggeredBy":"webhook",)"
    R"("trigger":{"type":"webhook","webhookCallId":"call-9"},"workspaceId":"ws-1",)"
    R"("blockVersions":{"blk-1":4}})",
    R"({"type":"execution_start","ts":"2024-11-28T14:03:07.123Z","input":null,"flowId":"",)"
    R"("flowVersion":0,"triggeredBy":"api","trigger":{"type":"api"}})",
    R"({"type":"node_start","ts":"2024-11-28T14:03:07.123Z","nodeId":"n",)"
    R"("blockExecutionId":"bx-1","attempt":2,"input":[1,2],"iteration":4,)"
    R"("deadline":"2024-11-28T14:03:07.623Z"})",
    R"({"type":"node_start","ts":"2024-11-28T14:03:07.123Z","nodeId":"n",)"
    R"("blockExecutionId":"bx-1","attempt":1,"input":{}})",
    R"({"type":"node_stream","ts":"2024-11-28T14:03:07.123Z","nodeId":"n",)"
    R"("event":{"type":"text_delta","content":"he"},"iteration":1})",
    R"({"type":"node_stream","ts":"2024-11-28T14:03:07.123Z","nodeId":"n",)"
    R"("event":{"type":"tool_call"}})",
    R"({"type":"node_complete","ts":"2024-11-28T14:03:07.123Z","nodeId":"n","output":"out",)"
    R"("durationMs":42,"iteration":0,"route":"urgent","tokens":{"input":12,"output":30},)"
    R"("cost":2.5E-1,"model":"gpt-x","ttftMs":180,"tokensPerSecond":5.55E1})",
    R"({"type":"node_complete","ts":"2024-11-28T14:03:07.123Z","nodeId":"n","output":null,)"
    R"("durationMs":0})",
    R"({"type":"node_error","ts":"2024-11-28T14:03:07.123Z","nodeId":"n","error":"boom",)"
    R"("attempt":3,"retryable":true,"iteration":7,"code":"limit_exceeded"})",
    R"({"type":"node_error","ts":"2024-11-28T14:03:07.123Z","nodeId":"n","error":"boom",)"
    R"("attempt":1,"retryable":false})",
    R"({"type":"node_retry","ts":"2024-11-28T14:03:07.123Z","nodeId":"n","attempt":2,)"
    R"("delayMs":400,"error":"timeout","iteration":5})",
    R"({"type":"node_retry","ts":"2024-11-28T14:03:07.123Z","nodeId":"n","attempt":3,)"
    R"("delayMs":0,"error":""})",
    R"({"type":"node_skipped","ts":"2024-11-28T14:03:07.123Z","nodeId":"n",)"
    R"("reason":"route not chosen"})",
    R"({"type":"node_fallback","ts":"2024-11-28T14:03:07.123Z","nodeId":"n",)"
    R"("from":"model-a","to":"model-b"})",
    R"({"type":"execution_complete","ts":"2024-11-28T14:03:07.123Z","output":{"ok":true},)"
    R"("metrics":{"totalTokens":42,"totalCost":5E-1}})",
    R"({"type":"execution_complete","ts":"2024-11-28T14:03:07.123Z","output":null,)"
    R"("metrics":{}})",
    R"({"type":"execution_error","ts":"2024-11-28T14:03:07.123Z","error":"node failed",)"
    R"("nodeId":"n","code":"jq_error"})",
    R"({"type":"execution_error","ts":"2024-11-28T14:03:07.123Z","error":"no source"})",
    R"({"type":"execution_cancelled","ts":"2024-11-28T14:03:07.123Z","reason":"user asked"})",
    R"({"type":"execution_cancelled","ts":"2024-11-28T14:03:07.123Z"})",
  };
  return texts;
}

using testing::keys_of;

TEST(events, every_alternative_is_covered) {
  std::set<std::size_t> seen;
  for (const auto& e : all_events())
    seen.insert(e.payload.index());
  EXPECT_EQ(seen.size(), std::variant_size_v<execution_event_payload>);
}

TEST(events, each_event_is_written_as_its_wire_text) {
  auto events = all_events();
  ASSERT_EQ(events.size(), wire_texts().size());
  for (std::size_t i = 0; i < events.size(); ++i)
    EXPECT_EQ(serialize_event(events[i]), wire_texts()[i]) << "sample " << i;
}

TEST(events, each_wire_text_parses_to_its_event) {
  auto events = all_events();
  for (std::size_t i = 0; i < events.size(); ++i) {
    SCOPED_TRACE(wire_texts()[i]);
    auto parsed = parse_event(wire_texts()[i]);
    ASSERT_TRUE(parsed) << parsed.error().message;
    EXPECT_EQ(parsed->ts, ts);
    EXPECT_EQ(parsed->payload.index(), events[i].payload.index());
    // Checked against the hand-written text, not the parser's own output.
    EXPECT_EQ(serialize_event(*parsed), wire_texts()[i]);
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
  EXPECT_FALSE(c.ttft_ms);
  EXPECT_FALSE(c.tokens_per_second);
  EXPECT_TRUE(c.tokens.is_null());

  auto full = parse_event(wire_texts()[6]);
  ASSERT_TRUE(full);
  const auto& f = std::get<node_complete>(full->payload);
  EXPECT_EQ(f.ttft_ms, 180);
  EXPECT_EQ(f.tokens_per_second, 55.5);
  EXPECT_EQ(f.cost, 0.25);

  auto started = parse_event(wire_texts()[0]);
  ASSERT_TRUE(started);
  const auto& e = std::get<execution_start>(started->payload);
  EXPECT_EQ(e.trigger, (trigger{.kind = trigger_kind::webhook, .webhook_call_id = "call-9"}));
  EXPECT_EQ(e.block_versions, (std::map<std::string, std::uint64_t>{{"blk-1", 4}}));
}

TEST(events, a_start_written_before_triggers_reads_its_kind_from_triggered_by) {
  auto parsed = parse_event(R"({"type":"execution_start","ts":"2024-11-28T14:03:07.123Z",)"
                            R"("input":{},"flowId":"f","flowVersion":1,"triggeredBy":"webhook"})");
  ASSERT_TRUE(parsed) << parsed.error().message;
  EXPECT_EQ(std::get<execution_start>(parsed->payload).trigger.kind, trigger_kind::webhook);
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
