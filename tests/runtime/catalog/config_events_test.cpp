// Tests for runtime/config_events: every config event survives
// serialize/parse; wire keys and order; old flow_saved logs; errors.
#include "runtime/catalog/config_events.hpp"

#include "runtime/stream_names.hpp"
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

json::value a_flow() {
  return json::object{{"name", "triage"},
                      {"nodes", json::array{json::object{{"id", "in"}, {"type", "source"}}}},
                      {"edges", json::array{}}};
}

json::value a_block() {
  return json::object{{"name", "upper"},
                      {"type", "function-block"},
                      {"config", json::object{{"code", ".text | ascii_upcase"}}}};
}

// Each alternative at least once; the ones with defaults also with odd values.
std::vector<config_event> all_events() {
  return {
    {ts, workspace_created{"ws-1", "default"}},
    {ts, token_created{"tok-1", "ws-1", "ci", "9f86d081884c7d65", token_role::admin}},
    {ts, token_revoked{"tok-1"}},
    {ts, flow_saved{"flow-1", "ws-1", 3, a_flow()}},
    {ts, flow_saved{"flow-2", "", 1, a_flow()}},
    {ts, flow_deleted{"flow-1"}},
    {ts, block_saved{"block-1", "ws-1", 2, a_block()}},
    {ts, block_deleted{"block-1"}},
    {ts, connection_saved{"conn-1", "ws-1", 1, "local", "openai", "http://127.0.0.1:9",
                          "c2VhbGVk"}},
    {ts, connection_deleted{"conn-1"}},
    {ts, webhook_saved{"flow-1", "ws-1", "c2VjcmV0", true, 10, 20}},
    {ts, webhook_saved{"flow-1", "ws-1", "b3RoZXI=", false, 0.5, 3}},
    {ts, webhook_deleted{"flow-1"}},
    {ts, feedback_category_added{"ws-1", "wrong_route", "Sent to the wrong team."}},
    {ts, feedback_category_removed{"ws-1", "wrong_route"}},
    {ts, pattern_saved{"pat-1", "ws-1", 2,
                       json::parse(R"({"name":"n","description":"","blockId":"b",
                         "condition":".x","outcome":null})")}},
    {ts, pattern_deleted{"pat-1"}},
  };
}

using testing::keys_of;

TEST(config_events, every_alternative_is_covered) {
  std::set<std::size_t> seen;
  for (const auto& e : all_events())
    seen.insert(e.payload.index());
  EXPECT_EQ(seen.size(), std::variant_size_v<config_event_payload>);
}

TEST(config_events, round_trip_keeps_every_field) {
  for (const auto& original : all_events()) {
    auto text = serialize_config_event(original);
    SCOPED_TRACE(text);
    auto parsed = parse_config_event(text);
    ASSERT_TRUE(parsed) << parsed.error().message;
    EXPECT_EQ(parsed->ts, original.ts);
    EXPECT_EQ(parsed->payload.index(), original.payload.index());
    // serialize writes every field it has, so equal text means equal events.
    EXPECT_EQ(serialize_config_event(*parsed), text);
  }
}

TEST(config_events, type_first_then_ts) {
  for (const auto& e : all_events()) {
    auto text = serialize_config_event(e);
    auto keys = keys_of(text);
    ASSERT_GE(keys.size(), 3u);
    EXPECT_EQ(keys[0], "type");
    EXPECT_EQ(keys[1], "ts");
    auto parsed = json::parse(text);
    EXPECT_EQ(parsed.at("type").as_string(), type_name(e.payload));
    EXPECT_EQ(parsed.at("ts").as_string(), "2024-11-28T14:03:07.123Z");
  }
}

TEST(config_events, type_names_are_the_wire_names) {
  std::set<std::string_view> names_seen;
  for (const auto& e : all_events())
    names_seen.insert(type_name(e.payload));
  EXPECT_EQ(names_seen,
            (std::set<std::string_view>{
              names::workspace_created, names::token_created, names::token_revoked,
              names::flow_saved, names::flow_deleted, names::block_saved,
              names::block_deleted, names::connection_saved, names::connection_deleted,
              names::webhook_saved, names::webhook_deleted, names::feedback_category_added,
              names::feedback_category_removed, names::pattern_saved,
              names::pattern_deleted}));
  EXPECT_EQ(names::flow_saved, "flow_saved");
  EXPECT_EQ(names::connection_deleted, "connection_deleted");
}

TEST(config_events, wire_keys_are_camel_case) {
  auto keys = [](config_event_payload payload) {
    return keys_of(serialize_config_event({ts, std::move(payload)}));
  };
  using list = std::vector<std::string>;
  EXPECT_EQ(keys(workspace_created{"w", "n"}), (list{"type", "ts", "workspaceId", "name"}));
  EXPECT_EQ(keys(token_created{"t", "w", "n", "h", token_role::member}),
            (list{"type", "ts", "tokenId", "workspaceId", "name", "tokenHash", "role"}));
  EXPECT_EQ(keys(flow_saved{"f", "w", 1, a_flow()}),
            (list{"type", "ts", "flowId", "workspaceId", "version", "flow"}));
  EXPECT_EQ(keys(block_saved{"b", "w", 1, a_block()}),
            (list{"type", "ts", "blockId", "workspaceId", "version", "block"}));
  // "type" is the event's: the provider kind travels as connectionType.
  EXPECT_EQ(keys(connection_saved{"c", "w", 1, "n", "anthropic", "u", "k"}),
            (list{"type", "ts", "connectionId", "workspaceId", "version", "name",
                  "connectionType", "baseUrl", "apiKeySealed"}));
  EXPECT_EQ(keys(webhook_saved{"f", "w", "s", true, 10, 20}),
            (list{"type", "ts", "flowId", "workspaceId", "secretSealed", "enabled",
                  "ratePerSecond", "burst"}));
  EXPECT_EQ(keys(webhook_deleted{"f"}), (list{"type", "ts", "flowId"}));
}

TEST(config_events, parsed_fields_have_their_values) {
  auto conn = parse_config_event(serialize_config_event(
    {ts, connection_saved{"c", "w", 4, "n", "anthropic", "http://x", "k"}}));
  ASSERT_TRUE(conn);
  const auto& c = std::get<connection_saved>(conn->payload);
  EXPECT_EQ(c.connection_id, "c");
  EXPECT_EQ(c.workspace_id, "w");
  EXPECT_EQ(c.version, 4u);
  EXPECT_EQ(c.type, "anthropic");
  EXPECT_EQ(c.base_url, "http://x");
  EXPECT_EQ(c.api_key_sealed, "k");

  auto hook = parse_config_event(
    serialize_config_event({ts, webhook_saved{"f", "w", "s", false, 0.5, 3}}));
  ASSERT_TRUE(hook);
  const auto& h = std::get<webhook_saved>(hook->payload);
  EXPECT_FALSE(h.enabled);
  EXPECT_DOUBLE_EQ(h.rate_per_second, 0.5);
  EXPECT_DOUBLE_EQ(h.burst, 3);

  auto token = parse_config_event(
    serialize_config_event({ts, token_created{"t", "w", "ci", "abc", token_role::session}}));
  ASSERT_TRUE(token);
  EXPECT_EQ(std::get<token_created>(token->payload).token_hash, "abc");
  EXPECT_EQ(std::get<token_created>(token->payload).role, token_role::session);
}

TEST(config_events, flow_saved_without_workspace_writes_none) {
  auto text = serialize_config_event({ts, flow_saved{"flow-9", "", 4, a_flow()}});
  EXPECT_EQ(keys_of(text), (std::vector<std::string>{"type", "ts", "flowId", "version", "flow"}));
}

// What `baley run` wrote before config events existed.
TEST(config_events, old_flow_saved_without_workspace_parses) {
  auto parsed = parse_config_event(
    R"({"type":"flow_saved","ts":"2024-11-28T14:03:07.123Z","flowId":"flow-9",)"
    R"("version":1,"flow":{"nodes":[],"edges":[]}})");
  ASSERT_TRUE(parsed) << parsed.error().message;
  EXPECT_EQ(parsed->ts, ts);
  const auto& saved = std::get<flow_saved>(parsed->payload);
  EXPECT_EQ(saved.flow_id, "flow-9");
  EXPECT_EQ(saved.workspace_id, "");
  EXPECT_EQ(saved.version, 1u);
  EXPECT_EQ(saved.flow, (json::object{{"nodes", json::array{}}, {"edges", json::array{}}}));
}

TEST(config_events, absent_defaults) {
  auto hook = parse_config_event(
    R"({"type":"webhook_saved","ts":"2024-11-28T14:03:07.123Z","flowId":"f"})");
  ASSERT_TRUE(hook) << hook.error().message;
  const auto& h = std::get<webhook_saved>(hook->payload);
  EXPECT_TRUE(h.enabled);
  EXPECT_DOUBLE_EQ(h.rate_per_second, 10);
  EXPECT_DOUBLE_EQ(h.burst, 20);

  auto flow = parse_config_event(
    R"({"type":"flow_saved","ts":"2024-11-28T14:03:07.123Z","flowId":"f","flow":{}})");
  ASSERT_TRUE(flow);
  EXPECT_EQ(std::get<flow_saved>(flow->payload).version, 1u);
}

TEST(config_events, unknown_type_is_refused) {
  auto parsed =
    parse_config_event(R"({"type":"flow_teleported","ts":"2024-11-28T14:03:07.123Z"})");
  ASSERT_FALSE(parsed);
  EXPECT_EQ(parsed.error().code, "invalid_event");
  EXPECT_NE(parsed.error().message.find("flow_teleported"), std::string::npos);

  // An execution event is not a config event.
  auto execution = parse_config_event(
    R"({"type":"node_start","ts":"2024-11-28T14:03:07.123Z","nodeId":"a"})");
  ASSERT_FALSE(execution);
  EXPECT_EQ(execution.error().code, "invalid_event");
  EXPECT_FALSE(parse_config_event(R"({"ts":"2024-11-28T14:03:07.123Z","flowId":"f"})"));
}

TEST(config_events, malformed_text_is_refused) {
  EXPECT_FALSE(parse_config_event("not json"));
  EXPECT_FALSE(parse_config_event("{"));
  EXPECT_FALSE(parse_config_event("[1,2]"));
  EXPECT_FALSE(parse_config_event(R"({"type":"flow_deleted","ts":"yesterday","flowId":"f"})"));
  EXPECT_FALSE(parse_config_event(R"({"type":"flow_deleted","flowId":"f"})"));

  auto wrong_kind = parse_config_event(
    R"({"type":"webhook_saved","ts":"2024-11-28T14:03:07.123Z","flowId":"f","enabled":"yes"})");
  ASSERT_FALSE(wrong_kind);
  EXPECT_EQ(wrong_kind.error().code, "invalid_event");
  EXPECT_NE(wrong_kind.error().message.find("enabled"), std::string::npos);

  auto no_id = parse_config_event(
    R"({"type":"token_revoked","ts":"2024-11-28T14:03:07.123Z"})");
  ASSERT_FALSE(no_id);
  EXPECT_NE(no_id.error().message.find("tokenId"), std::string::npos);
}

TEST(config_events, stream_names) {
  EXPECT_EQ(names::workspace_stream("w1"), "ws/w1");
  EXPECT_EQ(names::flow_stream("f1"), "flow/f1");
  EXPECT_EQ(names::block_stream("b1"), "block/b1");
  EXPECT_EQ(names::connection_stream("c1"), "conn/c1");
  EXPECT_EQ(names::webhook_stream("f1"), "hook/f1");
  EXPECT_EQ(names::webhook_stream_prefix, "hook/");
}

} // namespace
} // namespace baley::runtime
