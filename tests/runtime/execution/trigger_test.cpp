// Tests for runtime/trigger: every kind's name both ways, the JSON form of
// each kind with its optional ids, parsing hand-written JSON, unknown kinds.
#include "runtime/execution/trigger.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <string>
#include <utility>
#include <vector>

namespace baley::runtime {
namespace {

namespace json = boost::json;

constexpr unix_ms five_past = 1'732'802'700'000;  // 2024-11-28T14:05:00.000Z

const std::vector<std::pair<trigger_kind, std::string_view>>& every_kind() {
  static const std::vector<std::pair<trigger_kind, std::string_view>> kinds = {
    {trigger_kind::api, "api"},          {trigger_kind::webhook, "webhook"},
    {trigger_kind::schedule, "schedule"}, {trigger_kind::rerun, "rerun"},
    {trigger_kind::test, "test"},        {trigger_kind::cli, "cli"},
  };
  return kinds;
}

// Each kind with the id it carries, and the JSON text it is written as.
const std::vector<std::pair<trigger, std::string_view>>& every_form() {
  static const std::vector<std::pair<trigger, std::string_view>> forms = {
    {{.kind = trigger_kind::api, .token_id = "tok-1"}, R"({"type":"api","tokenId":"tok-1"})"},
    {{.kind = trigger_kind::api}, R"({"type":"api"})"},
    {{.kind = trigger_kind::webhook, .webhook_call_id = "call-9"},
     R"({"type":"webhook","webhookCallId":"call-9"})"},
    {{.kind = trigger_kind::schedule, .scheduled_for = five_past},
     R"({"type":"schedule","scheduledFor":"2024-11-28T14:05:00.000Z"})"},
    {{.kind = trigger_kind::rerun, .parent_execution_id = "exec-1"},
     R"({"type":"rerun","parentExecutionId":"exec-1"})"},
    {{.kind = trigger_kind::test}, R"({"type":"test"})"},
    {{.kind = trigger_kind::cli}, R"({"type":"cli"})"},
  };
  return forms;
}

TEST(trigger, every_kind_has_its_name_both_ways) {
  for (auto [kind, name] : every_kind()) {
    EXPECT_EQ(trigger_kind_name(kind), name);
    EXPECT_EQ(trigger_kind_from_name(name), kind) << name;
  }
}

TEST(trigger, names_are_exact_and_case_sensitive) {
  for (auto name : {"", "API", "Webhook", " api", "api ", "manual", "scheduled"})
    EXPECT_FALSE(trigger_kind_from_name(name)) << '"' << name << '"';
}

TEST(trigger, each_kind_is_written_with_only_its_ids) {
  for (const auto& [t, text] : every_form())
    EXPECT_EQ(json::serialize(trigger_json(t)), text);
}

TEST(trigger, every_optional_field_is_written_in_order) {
  trigger all{.kind = trigger_kind::rerun, .token_id = "tok-1", .webhook_call_id = "call-9",
              .parent_execution_id = "exec-1", .scheduled_for = five_past};
  EXPECT_EQ(json::serialize(trigger_json(all)),
            R"({"type":"rerun","tokenId":"tok-1","webhookCallId":"call-9",)"
            R"("parentExecutionId":"exec-1","scheduledFor":"2024-11-28T14:05:00.000Z"})");
}

TEST(trigger, each_written_form_parses_back_to_its_trigger) {
  for (const auto& [t, text] : every_form()) {
    auto stored = json::parse(text);
    auto parsed = parse_trigger(&stored, "ignored");
    ASSERT_TRUE(parsed) << text << ": " << parsed.error().message;
    EXPECT_EQ(*parsed, t) << text;
  }
}

TEST(trigger, hand_written_json_parses_every_field) {
  auto stored = json::parse(R"({"scheduledFor":"2024-11-28T14:05:00Z","type":"schedule",)"
                            R"("tokenId":"tok-2","parentExecutionId":"exec-3","extra":true})");
  auto parsed = parse_trigger(&stored, "api");
  ASSERT_TRUE(parsed) << parsed.error().message;
  EXPECT_EQ(parsed->kind, trigger_kind::schedule);
  EXPECT_EQ(parsed->token_id, "tok-2");
  EXPECT_EQ(parsed->webhook_call_id, "");
  EXPECT_EQ(parsed->parent_execution_id, "exec-3");
  EXPECT_EQ(parsed->scheduled_for, std::optional<unix_ms>(five_past));
}

TEST(trigger, an_absent_trigger_reads_its_kind_from_triggered_by) {
  const json::value null_value;
  for (const json::value* stored : {static_cast<const json::value*>(nullptr), &null_value}) {
    for (auto [kind, name] : every_kind()) {
      auto parsed = parse_trigger(stored, name);
      ASSERT_TRUE(parsed) << name;
      EXPECT_EQ(*parsed, trigger{.kind = kind}) << name;
    }
  }
}

TEST(trigger, an_absent_trigger_with_an_unknown_triggered_by_reads_as_api) {
  for (auto name : {"", "pigeon", "Webhook"}) {
    auto parsed = parse_trigger(nullptr, name);
    ASSERT_TRUE(parsed) << name;
    EXPECT_EQ(*parsed, trigger{.kind = trigger_kind::api}) << name;
  }
}

TEST(trigger, a_stored_trigger_without_a_known_type_is_invalid_event) {
  for (auto text : {R"({"type":"pigeon"})", R"({"type":"API"})", R"({"tokenId":"tok-1"})",
                    R"({"type":5})", R"("api")", "[]", "7"}) {
    auto stored = json::parse(text);
    // triggered_by is not consulted once a trigger is stored.
    auto parsed = parse_trigger(&stored, "webhook");
    ASSERT_FALSE(parsed) << text;
    EXPECT_EQ(parsed.error().code, "invalid_event") << text;
    EXPECT_EQ(parsed.error().message, "trigger needs a known type") << text;
  }
}

TEST(trigger, an_unreadable_scheduled_for_is_an_error) {
  auto stored = json::parse(R"({"type":"schedule","scheduledFor":"at five"})");
  auto parsed = parse_trigger(&stored, "schedule");
  ASSERT_FALSE(parsed);
  EXPECT_EQ(parsed.error().code, "invalid_time");
}

} // namespace
} // namespace baley::runtime
