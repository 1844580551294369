// Tests for runtime/execution_summary: summaries of folded executions, their
// list-item JSON, and the stored text pinned to hand-written wire names.
#include "runtime/execution/execution_summary.hpp"

#include "fold_events.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <string>
#include <vector>

namespace baley::runtime {
namespace {

namespace json = boost::json;

constexpr unix_ms ts = 1'732'802'587'123;  // 2024-11-28T14:03:07.123Z

using testing::fold;

execution_event start(std::string workspace_id) {
  return {ts, execution_start{.input = json::object{{"q", "hi"}},
                              .flow_id = "flow-1",
                              .flow_version = 3,
                              .triggered_by = "webhook",
                              .trigger = {.kind = trigger_kind::webhook,
                                          .webhook_call_id = "call-9"},
                              .workspace_id = std::move(workspace_id)}};
}

// start, one node with 12 + 30 tokens costing 0.25, complete 1.5 s later.
execution_state completed_run() {
  return fold({start("ws-1"),
               {ts + 10, node_start{.node_id = "ai", .block_execution_id = "bx-1",
                                    .input = json::object{}}},
               {ts + 900, node_complete{.node_id = "ai", .output = "done", .duration_ms = 890,
                                        .tokens = json::object{{"input", 12}, {"output", 30}},
                                        .cost = 0.25}},
               {ts + 1500, execution_complete{.output = "done"}}});
}

constexpr std::string_view completed_text =
  R"({"id":"exec-1","flowId":"flow-1","flowVersion":3,"status":"completed",)"
  R"("triggeredBy":"webhook","trigger":{"type":"webhook","webhookCallId":"call-9"},)"
  R"("workspaceId":"ws-1","startedAt":"2024-11-28T14:03:07.123Z",)"
  R"("completedAt":"2024-11-28T14:03:08.623Z",)"
  R"("metrics":{"totalDurationMs":1500,"totalTokens":42,"totalCost":2.5E-1}})";

error parse_error(std::string_view text) {
  auto parsed = parse_summary(text);
  EXPECT_FALSE(parsed) << text;
  return parsed ? error{} : parsed.error();
}

TEST(execution_summary, summarize_copies_a_completed_execution) {
  auto s = summarize("exec-1", completed_run(), ts + 99'999);
  EXPECT_EQ(s.id, "exec-1");
  EXPECT_EQ(s.flow_id, "flow-1");
  EXPECT_EQ(s.flow_version, 3u);
  EXPECT_EQ(s.status, execution_status::completed);
  EXPECT_EQ(s.triggered_by, "webhook");
  EXPECT_EQ(s.trigger, (trigger{.kind = trigger_kind::webhook, .webhook_call_id = "call-9"}));
  EXPECT_EQ(s.workspace_id, "ws-1");
  EXPECT_EQ(s.started_at, ts);
  EXPECT_EQ(s.completed_at, std::optional<unix_ms>(ts + 1500));
  // The duration ends at completion, not at `now`.
  EXPECT_EQ(s.metrics, (json::object{{"totalDurationMs", 1500}, {"totalTokens", 42},
                                     {"totalCost", 0.25}}));
}

TEST(execution_summary, a_running_execution_has_no_completion_and_lasts_until_now) {
  auto s = summarize("exec-2", fold({start("")}), ts + 700);
  EXPECT_EQ(s.status, execution_status::running);
  EXPECT_FALSE(s.completed_at);
  EXPECT_EQ(s.metrics, (json::object{{"totalDurationMs", 700}, {"totalTokens", 0},
                                     {"totalCost", 0}}));
}

TEST(execution_summary, json_has_exactly_the_list_item_keys) {
  EXPECT_EQ(serialize_summary(summarize("exec-1", completed_run(), ts)), completed_text);
  // Without a workspace the key is left out; an unfinished one has completedAt null.
  auto running = summary_json(summarize("exec-2", fold({start("")}), ts + 700));
  std::vector<std::string> keys;
  for (const auto& kv : running)
    keys.emplace_back(kv.key());
  EXPECT_EQ(keys, (std::vector<std::string>{"id", "flowId", "flowVersion", "status",
                                            "triggeredBy", "trigger", "startedAt",
                                            "completedAt", "metrics"}));
  EXPECT_TRUE(running.at("completedAt").is_null());
  EXPECT_EQ(running.at("status").as_string(), "running");
}

TEST(execution_summary, serialized_summary_parses_back_to_the_same_text) {
  auto written = serialize_summary(summarize("exec-1", completed_run(), ts));
  auto parsed = parse_summary(written);
  ASSERT_TRUE(parsed) << parsed.error().message;
  EXPECT_EQ(serialize_summary(*parsed), written);
}

TEST(execution_summary, hand_written_stored_text_parses_field_by_field) {
  auto parsed = parse_summary(
    R"({"id":"exec-7","flowId":"flow-2","flowVersion":12,"status":"failed",)"
    R"("triggeredBy":"schedule","trigger":{"type":"schedule",)"
    R"("scheduledFor":"2024-11-28T14:05:00.000Z"},"startedAt":"2024-11-28T14:05:00.250Z",)"
    R"("completedAt":null,"metrics":{"totalDurationMs":5,"totalTokens":0,"totalCost":0}})");
  ASSERT_TRUE(parsed) << parsed.error().message;
  EXPECT_EQ(parsed->id, "exec-7");
  EXPECT_EQ(parsed->flow_id, "flow-2");
  EXPECT_EQ(parsed->flow_version, 12u);
  EXPECT_EQ(parsed->status, execution_status::failed);
  EXPECT_EQ(parsed->triggered_by, "schedule");
  EXPECT_EQ(parsed->trigger, (trigger{.kind = trigger_kind::schedule,
                                      .scheduled_for = 1'732'802'700'000}));
  EXPECT_EQ(parsed->workspace_id, "");
  EXPECT_EQ(parsed->started_at, 1'732'802'700'250);
  EXPECT_FALSE(parsed->completed_at);
  EXPECT_EQ(parsed->metrics.at("totalDurationMs").as_int64(), 5);
}

TEST(execution_summary, a_summary_without_trigger_reads_it_from_triggered_by) {
  auto parsed = parse_summary(R"({"id":"e","status":"cancelled","triggeredBy":"cli",)"
                              R"("startedAt":"2024-11-28T14:03:07Z","completedAt":""})");
  ASSERT_TRUE(parsed) << parsed.error().message;
  EXPECT_EQ(parsed->trigger, trigger{.kind = trigger_kind::cli});
  EXPECT_EQ(parsed->started_at, 1'732'802'587'000);
  EXPECT_FALSE(parsed->completed_at);
  EXPECT_TRUE(parsed->metrics.empty());
}

TEST(execution_summary, malformed_text_is_invalid_summary) {
  for (auto text : {"", "{", "[]", "\"exec-1\"", "null"}) {
    auto e = parse_error(text);
    EXPECT_EQ(e.code, "invalid_summary") << text;
    EXPECT_EQ(e.message, "execution summary: not a JSON object") << text;
  }
}

TEST(execution_summary, a_missing_or_unknown_status_is_invalid_summary) {
  for (auto text : {R"({"id":"e","startedAt":"2024-11-28T14:03:07Z"})",
                    R"({"id":"e","status":"paused","startedAt":"2024-11-28T14:03:07Z"})",
                    R"({"id":"e","status":3,"startedAt":"2024-11-28T14:03:07Z"})"}) {
    auto e = parse_error(text);
    EXPECT_EQ(e.code, "invalid_summary") << text;
    EXPECT_EQ(e.message, "execution summary: unknown status") << text;
  }
}

TEST(execution_summary, a_field_of_the_wrong_kind_is_invalid_summary) {
  auto id = parse_error(R"({"id":5,"status":"running","startedAt":"2024-11-28T14:03:07Z"})");
  EXPECT_EQ(id.code, "invalid_summary");
  EXPECT_EQ(id.message, "execution summary: id is not a string");
  auto version = parse_error(
    R"({"id":"e","flowVersion":"3","status":"running","startedAt":"2024-11-28T14:03:07Z"})");
  EXPECT_EQ(version.code, "invalid_summary");
  EXPECT_EQ(version.message, "execution summary: flowVersion is not a whole number");
}

// The header promises "invalid_summary" for any stored text that is not a
// summary, including a missing or unreadable time and a broken trigger.
TEST(execution_summary, a_bad_time_or_trigger_is_invalid_summary) {
  for (auto text :
       {R"({"id":"e","status":"running"})",
        R"({"id":"e","status":"running","startedAt":"yesterday"})",
        R"({"id":"e","status":"failed","startedAt":"2024-11-28T14:03:07Z","completedAt":"soon"})",
        R"({"id":"e","status":"running","startedAt":"2024-11-28T14:03:07Z",)"
        R"("trigger":{"type":"pigeon"}})",
        R"({"id":"e","status":"running","startedAt":"2024-11-28T14:03:07Z","trigger":5})"})
    EXPECT_EQ(parse_error(text).code, "invalid_summary") << text;
}

} // namespace
} // namespace baley::runtime
