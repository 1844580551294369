// Every stream name and event type string, in one place: a type in the log is
// never renamed, only added.
#pragma once

#include <string>
#include <string_view>

namespace baley::names {

inline constexpr std::string_view execution_stream_prefix = "exec/";
inline constexpr std::string_view flow_stream_prefix = "flow/";
inline constexpr std::string_view workspace_stream_prefix = "ws/";
inline constexpr std::string_view block_stream_prefix = "block/";
inline constexpr std::string_view connection_stream_prefix = "conn/";
inline constexpr std::string_view webhook_stream_prefix = "hook/";
inline constexpr std::string_view webhook_log_stream_prefix = "hooklog/";
inline constexpr std::string_view feedback_stream_prefix = "feedback/";
inline constexpr std::string_view pattern_stream_prefix = "pattern/";
// Every transition of every circuit breaker.
inline constexpr std::string_view breakers_stream = "system/breakers";
// What the pattern matcher found: every decision it matched, every scan.
inline constexpr std::string_view pattern_matches_stream = "system/pattern-matches";

inline std::string execution_stream(std::string_view execution_id) {
  return std::string(execution_stream_prefix) + std::string(execution_id);
}
inline std::string flow_stream(std::string_view flow_id) {
  return std::string(flow_stream_prefix) + std::string(flow_id);
}
inline std::string workspace_stream(std::string_view workspace_id) {
  return std::string(workspace_stream_prefix) + std::string(workspace_id);
}
inline std::string block_stream(std::string_view block_id) {
  return std::string(block_stream_prefix) + std::string(block_id);
}
inline std::string connection_stream(std::string_view connection_id) {
  return std::string(connection_stream_prefix) + std::string(connection_id);
}
// One stream per flow's webhook: hook/<flowId>.
inline std::string webhook_stream(std::string_view flow_id) {
  return std::string(webhook_stream_prefix) + std::string(flow_id);
}

// One stream per flow's webhook calls: hooklog/<flowId>.
inline std::string webhook_log_stream(std::string_view flow_id) {
  return std::string(webhook_log_stream_prefix) + std::string(flow_id);
}

// One stream per decision's feedback: feedback/<decisionId>.
inline std::string feedback_stream(std::string_view decision_id) {
  return std::string(feedback_stream_prefix) + std::string(decision_id);
}

// One stream per pattern: pattern/<patternId>.
inline std::string pattern_stream(std::string_view pattern_id) {
  return std::string(pattern_stream_prefix) + std::string(pattern_id);
}

// Execution events (DESIGN.md, "Event model").
inline constexpr std::string_view execution_start = "execution_start";
inline constexpr std::string_view node_start = "node_start";
inline constexpr std::string_view node_stream = "node_stream";
inline constexpr std::string_view node_complete = "node_complete";
inline constexpr std::string_view node_error = "node_error";
inline constexpr std::string_view node_retry = "node_retry";
inline constexpr std::string_view node_skipped = "node_skipped";
inline constexpr std::string_view node_fallback = "node_fallback";
inline constexpr std::string_view execution_complete = "execution_complete";
inline constexpr std::string_view execution_error = "execution_error";
inline constexpr std::string_view execution_cancelled = "execution_cancelled";

// Configuration events (runtime/config_events.hpp), by stream.
// ws/<workspaceId>
inline constexpr std::string_view workspace_created = "workspace_created";
inline constexpr std::string_view token_created = "token_created";
inline constexpr std::string_view token_revoked = "token_revoked";
inline constexpr std::string_view feedback_category_added = "feedback_category_added";
inline constexpr std::string_view feedback_category_removed = "feedback_category_removed";
// flow/<flowId>
inline constexpr std::string_view flow_saved = "flow_saved";
inline constexpr std::string_view flow_deleted = "flow_deleted";
// block/<blockId>
inline constexpr std::string_view block_saved = "block_saved";
inline constexpr std::string_view block_deleted = "block_deleted";
// conn/<connectionId>
inline constexpr std::string_view connection_saved = "connection_saved";
inline constexpr std::string_view connection_deleted = "connection_deleted";
// hook/<flowId>
inline constexpr std::string_view webhook_saved = "webhook_saved";
inline constexpr std::string_view webhook_deleted = "webhook_deleted";
// pattern/<patternId>
inline constexpr std::string_view pattern_saved = "pattern_saved";
inline constexpr std::string_view pattern_deleted = "pattern_deleted";

// Operational events (runtime/ops/ops_events.hpp), by stream.
// system/breakers
inline constexpr std::string_view breaker_changed = "breaker_changed";
// hooklog/<flowId>
inline constexpr std::string_view webhook_called = "webhook_called";
// feedback/<decisionId> (runtime/insight/decision.hpp)
inline constexpr std::string_view feedback_given = "feedback_given";
// system/pattern-matches (runtime/insight/pattern_events.hpp)
inline constexpr std::string_view decisions_matched = "decisions_matched";
inline constexpr std::string_view pattern_scanned = "pattern_scanned";

} // namespace baley::names
