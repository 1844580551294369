// An execution's entry in the executions projections: what lists, lookups
// and recovery read without folding its stream. Written in the batch of its
// execution_start and of its terminal event (and, for one that cannot resume,
// of the execution_error recovery writes).
#pragma once

#include "runtime/execution/execution_state.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace baley::runtime {

struct execution_summary {
  std::string id;
  std::string flow_id;
  std::uint64_t flow_version = 0;
  execution_status status = execution_status::pending;
  std::string triggered_by;
  runtime::trigger trigger;
  std::string workspace_id;  // empty for `baley run`
  unix_ms started_at = 0;
  std::optional<unix_ms> completed_at;
  boost::json::object metrics;  // {"totalDurationMs","totalTokens","totalCost"}
};

execution_summary summarize(const std::string& execution_id, const execution_state& state,
                            unix_ms now);

// {"id","flowId","flowVersion","status","triggeredBy","trigger","workspaceId"?,
//  "startedAt","completedAt","metrics"}: the list item of GET /api/executions.
boost::json::object summary_json(const execution_summary& summary);
std::string serialize_summary(const execution_summary& summary);

// "invalid_summary" when the stored text is not one.
result<execution_summary> parse_summary(std::string_view stored);

} // namespace baley::runtime
