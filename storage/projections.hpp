// The layout of each projection family (event_log.hpp, `families`): its key,
// built here and nowhere else, and the put that writes it with its events.
#pragma once

#include "storage/event_log.hpp"
#include "storage/keys.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace baley::storage::projections {

// executions: execution id -> its summary (runtime/execution/execution_summary.hpp).
inline projection_put execution_summary(std::string_view execution_id, std::string summary) {
  return {.family = std::string(families::executions),
          .key = std::string(execution_id),
          .value = std::move(summary)};
}

// executions_by_workspace: workspace ‖ '\0' ‖ execution id -> its summary.
inline std::string workspace_executions(std::string_view workspace_id) {
  return families::compound_prefix(workspace_id);
}
inline projection_put workspace_execution(std::string_view workspace_id,
                                          std::string_view execution_id, std::string summary) {
  return {.family = std::string(families::executions_by_workspace),
          .key = families::compound_key(workspace_id, execution_id),
          .value = std::move(summary)};
}

// idempotency: workspace ‖ '\0' ‖ Idempotency-Key -> {"executionId","at"}.
inline std::string idempotency_key(std::string_view workspace_id, std::string_view key) {
  return families::compound_key(workspace_id, key);
}
inline projection_put idempotency(std::string_view workspace_id, std::string_view key,
                                  std::string entry) {
  return {.family = std::string(families::idempotency),
          .key = idempotency_key(workspace_id, key),
          .value = std::move(entry)};
}

// webhook_logs: flow id ‖ '\0' ‖ call id -> the call's log entry.
inline std::string webhook_logs(std::string_view flow_id) {
  return families::compound_prefix(flow_id);
}
inline projection_put webhook_log(std::string_view flow_id, std::string_view call_id,
                                  std::string entry) {
  return {.family = std::string(families::webhook_logs),
          .key = families::compound_key(flow_id, call_id),
          .value = std::move(entry)};
}

// decisions: decision id -> the decision (runtime/insight/decision.hpp).
inline projection_put decision(std::string_view decision_id, std::string row) {
  return {.family = std::string(families::decisions),
          .key = std::string(decision_id),
          .value = std::move(row)};
}

// decisions_by_workspace: workspace ‖ '\0' ‖ decision id -> its index row.
inline std::string workspace_decisions(std::string_view workspace_id) {
  return families::compound_prefix(workspace_id);
}
inline projection_put workspace_decision(std::string_view workspace_id,
                                         std::string_view decision_id, std::string index) {
  return {.family = std::string(families::decisions_by_workspace),
          .key = families::compound_key(workspace_id, decision_id),
          .value = std::move(index)};
}

// decisions_by_block: workspace ‖ '\0' ‖ block key ‖ '\0' ‖ decision id -> its
// index row. The block key is the block id, or flowId/nodeId inline.
inline std::string block_decisions(std::string_view workspace_id, std::string_view block_key) {
  return families::compound_prefix(families::compound_key(workspace_id, block_key));
}
inline projection_put block_decision(std::string_view workspace_id, std::string_view block_key,
                                     std::string_view decision_id, std::string index) {
  return {.family = std::string(families::decisions_by_block),
          .key = families::compound_key(families::compound_key(workspace_id, block_key),
                                        decision_id),
          .value = std::move(index)};
}

// node_failures: workspace ‖ '\0' ‖ execution id ‖ '\0' ‖ nodeId[#iteration]
// -> the failure (runtime/insight/analytics_rows.hpp).
inline projection_put node_failure(std::string_view workspace_id, std::string_view execution_id,
                                   std::string_view occurrence, std::string row) {
  return {.family = std::string(families::node_failures),
          .key = families::compound_key(families::compound_key(workspace_id, execution_id),
                                        occurrence),
          .value = std::move(row)};
}

// test_runs: workspace ‖ '\0' ‖ block id ‖ '\0' ‖ execution id -> the test run.
inline std::string block_test_runs(std::string_view workspace_id, std::string_view block_id) {
  return families::compound_prefix(families::compound_key(workspace_id, block_id));
}
inline projection_put test_run(std::string_view workspace_id, std::string_view block_id,
                               std::string_view execution_id, std::string row) {
  return {.family = std::string(families::test_runs),
          .key = block_test_runs(workspace_id, block_id).append(execution_id),
          .value = std::move(row)};
}

// pattern_queue: decision id -> "": a decision the pattern matcher has not
// matched yet, written with the decision and erased with its
// decisions_matched event.
inline projection_put queued_decision(std::string_view decision_id) {
  return {.family = std::string(families::pattern_queue), .key = std::string(decision_id)};
}
inline projection_put dequeued_decision(std::string_view decision_id) {
  return {.family = std::string(families::pattern_queue),
          .key = std::string(decision_id),
          .erase = true};
}

// The analytics rows, written by the insight projector only. Hours are the
// big-endian u64 of their first millisecond, so keys sort by time.
inline std::string hour_part(unix_ms hour) {
  std::string out;
  append_be64(out, static_cast<std::uint64_t>(hour));
  return out;
}

// block_buckets: workspace ‖ '\0' ‖ block key ‖ '\0' ‖ hour -> block_bucket.
inline std::string block_bucket_key(std::string_view workspace_id, std::string_view block_key,
                                    unix_ms hour) {
  return families::compound_key(families::compound_key(workspace_id, block_key),
                                hour_part(hour));
}

// cost_buckets: workspace ‖ '\0' ‖ group ‖ '\0' ‖ hour ‖ group key -> usage;
// group is block, model or flow.
inline std::string cost_buckets_from(std::string_view workspace_id, std::string_view group,
                                     unix_ms hour) {
  return families::compound_key(families::compound_key(workspace_id, group), hour_part(hour));
}
inline std::string cost_bucket_key(std::string_view workspace_id, std::string_view group,
                                   unix_ms hour, std::string_view key) {
  return cost_buckets_from(workspace_id, group, hour).append(key);
}

// failure_buckets: workspace ‖ '\0' ‖ hour ‖ signature ‖ '\0' ‖ flow id ‖ '\0' ‖
// node id -> failure_group.
inline std::string failure_buckets_from(std::string_view workspace_id, unix_ms hour) {
  return families::compound_key(workspace_id, hour_part(hour));
}
inline std::string failure_bucket_key(std::string_view workspace_id, unix_ms hour,
                                      std::string_view signature, std::string_view flow_id,
                                      std::string_view node_id) {
  return families::compound_key(
    families::compound_key(failure_buckets_from(workspace_id, hour).append(signature), flow_id),
    node_id);
}

// pattern_matches: pattern id ‖ '\0' ‖ version ‖ decision id -> the match
// row (runtime/insight/pattern_events.hpp); version is a big-endian u64.
inline std::string pattern_version_matches(std::string_view pattern_id, std::uint64_t version) {
  std::string key = families::compound_prefix(pattern_id);
  append_be64(key, version);
  return key;
}
inline projection_put pattern_match(std::string_view pattern_id, std::uint64_t version,
                                    std::string_view decision_id, std::string row) {
  return {.family = std::string(families::pattern_matches),
          .key = pattern_version_matches(pattern_id, version).append(decision_id),
          .value = std::move(row)};
}

// The pattern and version of a pattern_matches key; nothing when malformed.
struct pattern_match_key {
  std::string pattern_id;
  std::uint64_t version = 0;
};
inline std::optional<pattern_match_key> read_pattern_match_key(std::string_view key) {
  auto end = key.find('\0');
  if (end == std::string_view::npos || key.size() < end + 1 + be64_size)
    return std::nullopt;
  return pattern_match_key{std::string(key.substr(0, end)), read_be64(key.substr(end + 1))};
}

// pattern_stats: pattern id -> the stats of its latest version
// (runtime/insight/pattern.hpp, versioned_stats), kept by the insight
// projector as matches are staged.
inline projection_put pattern_stats(std::string_view pattern_id, std::string row) {
  return {.family = std::string(families::pattern_stats),
          .key = std::string(pattern_id),
          .value = std::move(row)};
}
inline projection_put pattern_stats_erased(std::string_view pattern_id) {
  return {.family = std::string(families::pattern_stats),
          .key = std::string(pattern_id),
          .erase = true};
}

// meta: "pattern_scan" ‖ '\0' ‖ pattern id -> {"version","error"?}:
// the last scan of a pattern that ran to its end (or stopped for good).
inline std::string pattern_scan_key(std::string_view pattern_id) {
  return families::compound_key("pattern_scan", pattern_id);
}
inline projection_put pattern_scan_done(std::string_view pattern_id, std::string row) {
  return {.family = std::string(families::meta),
          .key = pattern_scan_key(pattern_id),
          .value = std::move(row)};
}
inline projection_put pattern_scan_erased(std::string_view pattern_id) {
  return {.family = std::string(families::meta),
          .key = pattern_scan_key(pattern_id),
          .erase = true};
}

} // namespace baley::storage::projections
