// Recovery of unfinished executions; see recovery.hpp.
#include "actors/recovery.hpp"

#include "actors/clock.hpp"
#include "runtime/execution/execution_summary.hpp"
#include "runtime/stream_names.hpp"
#include "storage/execution_projections.hpp"
#include "storage/projections.hpp"

#include <boost/json.hpp>

namespace baley::actors {
namespace json = boost::json;
using namespace runtime;

namespace {

constexpr std::string_view cannot_resume = "cannot_resume";

// The unfinished executions, by id, with their summaries.
result<std::vector<execution_summary>> unfinished(const storage::event_log& log) {
  std::vector<execution_summary> out;
  auto scanned = log.scan_projection(
    storage::families::executions, "", [&](std::string_view, std::string_view value) {
      auto summary = parse_summary(value);
      if (summary && !is_terminal(summary->status))
        out.push_back(std::move(summary).value());
    });
  if (!scanned)
    return scanned.error();
  return out;
}

// Ends an execution that cannot resume: execution_error after its last
// event, and its summary `failed`, in one batch.
bool record_failure(storage::event_log& log, const execution_summary& known,
                    const std::optional<execution_state>& state, const error& reason,
                    unix_ms now) {
  auto stream = names::execution_stream(known.id);
  auto next = state ? result<stream_index>(state->next_index) : log.next_index(stream);
  if (!next)
    return false;
  execution_event failed{now, execution_error{.error = "cannot resume: " + reason.message,
                                              .code = std::string(cannot_resume)}};
  storage::append_request request{.stream = stream, .expected_next = *next,
                                  .events = {serialize_event(failed)}};
  if (state) {
    storage::execution_puts(known.id, *state, {failed}, {}, request.projections);
  } else {
    // The stream cannot be folded: the stored summary, marked failed.
    auto summary = known;
    summary.status = execution_status::failed;
    summary.completed_at = now;
    auto text = serialize_summary(summary);
    if (!summary.workspace_id.empty())
      request.projections.push_back(
        storage::projections::workspace_execution(summary.workspace_id, known.id, text));
    request.projections.push_back(storage::projections::execution_summary(known.id, text));
  }
  return log.append(std::move(request)).has_value();
}

} // namespace

result<recovery_plan> plan_recovery(engine& engine) {
  auto listed = unfinished(engine.log());
  if (!listed)
    return listed.error();
  recovery_plan plan;
  for (const auto& known : *listed) {
    auto state = fold_execution(engine.log(), known.id);
    std::optional<execution_state> folded;
    std::optional<error> reason;
    if (!state) {
      reason = state.error();
    } else {
      folded = *state;
      auto flow = engine.load_flow(state->flow_id, state->flow_version, state->block_versions);
      if (flow) {
        execution_setup setup;
        setup.execution_id = known.id;
        setup.flow = *flow;
        setup.state = std::move(state).value();
        plan.resumable.push_back({known.id, known.workspace_id, std::move(setup)});
        continue;
      }
      reason = flow.error();
    }
    bool recorded = record_failure(engine.log(), known, folded, *reason, engine.time()->now());
    plan.failed.push_back({known.id, known.workspace_id, std::move(*reason), recorded});
  }
  return plan;
}

std::vector<started_execution> resume_all(engine& engine,
                                          std::vector<resumable_execution> executions,
                                          execution_observer observer) {
  std::vector<started_execution> started;
  for (auto& r : executions) {
    r.setup.observer = observer;
    started.push_back(engine.spawn(std::move(r.setup)));
  }
  return started;
}

std::string describe(const unresumable_execution& failed) {
  json::object line{{"msg", "execution not resumed"},
                    {"executionId", failed.execution_id},
                    {"error", failed.reason.message},
                    {"code", failed.reason.code},
                    {"recorded", failed.recorded}};
  if (!failed.workspace_id.empty())
    line["workspaceId"] = failed.workspace_id;
  return json::serialize(line);
}

} // namespace baley::actors
