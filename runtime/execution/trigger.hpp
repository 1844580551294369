// What started an execution (API.md, "Replay records, triggers, small
// rules"): its kind and the ids that lead back to its cause. Recorded on
// execution_start; `triggeredBy` stays the kind's name.
#pragma once

#include "runtime/result.hpp"
#include "runtime/types.hpp"

#include <boost/json/object.hpp>

#include <optional>
#include <string>
#include <string_view>

namespace baley::runtime {

enum class trigger_kind {
  api,      // POST /api/flows/{id}/execute
  webhook,  // POST /api/webhooks/{flowId}/{secret}
  schedule,
  rerun,
  test,     // a block test run
  cli,      // `baley run`
};

std::string_view trigger_kind_name(trigger_kind kind);
std::optional<trigger_kind> trigger_kind_from_name(std::string_view name);

struct trigger {
  trigger_kind kind = trigger_kind::api;
  std::string token_id;             // api: the token that asked
  std::string webhook_call_id;      // webhook: the call's id in the webhook log
  std::string parent_execution_id;  // rerun
  std::optional<unix_ms> scheduled_for;  // schedule

  bool operator==(const trigger&) const = default;
};

// {"type", "tokenId"?, "webhookCallId"?, "parentExecutionId"?, "scheduledFor"?}
boost::json::object trigger_json(const trigger& t);
// The trigger of a stored execution_start; `triggered_by` names the kind
// when the event predates `trigger` (only "api", "webhook" and "cli" did).
result<trigger> parse_trigger(const boost::json::value* stored, std::string_view triggered_by);

} // namespace baley::runtime
