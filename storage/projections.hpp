// The layout of each projection family (event_log.hpp, `families`): its key,
// built here and nowhere else, and the put that writes it with its events.
#pragma once

#include "storage/event_log.hpp"

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

// flows: flow id -> the latest version's JSON.
inline projection_put flow(std::string_view flow_id, std::string flow_json) {
  return {.family = std::string(families::flows),
          .key = std::string(flow_id),
          .value = std::move(flow_json)};
}

} // namespace baley::storage::projections
