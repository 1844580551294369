// Execution summaries and their stored JSON; see execution_summary.hpp.
#include "runtime/execution/execution_summary.hpp"

#include "runtime/json_fields.hpp"
#include "runtime/json_text.hpp"
#include "runtime/time_format.hpp"

#include <boost/json/serialize.hpp>

namespace baley::runtime {
namespace json = boost::json;

execution_summary summarize(const std::string& execution_id, const execution_state& state,
                            unix_ms now) {
  execution_summary s{.id = execution_id,
                      .flow_id = state.flow_id,
                      .flow_version = state.flow_version,
                      .status = state.status,
                      .triggered_by = state.triggered_by,
                      .trigger = state.trigger,
                      .workspace_id = state.workspace_id,
                      .started_at = state.started_at,
                      .metrics = execution_metrics(state, now)};
  if (state.completed_at)
    s.completed_at = state.completed_at;
  return s;
}

json::object summary_json(const execution_summary& s) {
  json::object o;
  o["id"] = s.id;
  o["flowId"] = s.flow_id;
  o["flowVersion"] = s.flow_version;
  o["status"] = status_name(s.status);
  o["triggeredBy"] = s.triggered_by;
  o["trigger"] = trigger_json(s.trigger);
  if (!s.workspace_id.empty())
    o["workspaceId"] = s.workspace_id;
  o["startedAt"] = format_rfc3339_ms(s.started_at);
  o["completedAt"] = s.completed_at ? json::value(format_rfc3339_ms(*s.completed_at))
                                    : json::value();
  o["metrics"] = s.metrics;
  return o;
}

std::string serialize_summary(const execution_summary& summary) {
  return json::serialize(summary_json(summary));
}

result<execution_summary> parse_summary(std::string_view stored) {
  auto invalid = [](std::string why) {
    return error{"invalid_summary", "execution summary: " + std::move(why), {}};
  };
  boost::system::error_code ec;
  auto value = parse_stored_json(stored, ec);
  if (ec || !value.is_object())
    return invalid("not a JSON object");
  const auto& o = value.get_object();
  json_fields r{o, {}};
  execution_summary s{.id = r.str("id"),
                      .flow_id = r.str("flowId"),
                      .flow_version = static_cast<std::uint64_t>(r.integer("flowVersion")),
                      .triggered_by = r.str("triggeredBy"),
                      .workspace_id = r.str("workspaceId")};
  auto status = execution_status_from_name(r.str("status"));
  if (!status)
    return invalid("unknown status");
  s.status = *status;
  auto trigger = parse_trigger(o.if_contains("trigger"), s.triggered_by);
  if (!trigger)
    return invalid("trigger: " + trigger.error().message);
  s.trigger = std::move(trigger).value();
  auto started = parse_rfc3339_ms(r.str("startedAt"));
  if (!started)
    return invalid("startedAt: " + started.error().message);
  s.started_at = *started;
  if (auto completed = r.opt_str("completedAt"); completed && !completed->empty()) {
    auto parsed = parse_rfc3339_ms(*completed);
    if (!parsed)
      return invalid("completedAt: " + parsed.error().message);
    s.completed_at = *parsed;
  }
  if (auto* metrics = o.if_contains("metrics"); metrics && metrics->is_object())
    s.metrics = metrics->get_object();
  if (!r.problem.empty())
    return invalid(r.problem);
  return s;
}

} // namespace baley::runtime
