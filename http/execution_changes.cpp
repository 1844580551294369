// change_of: a start is read off its event, an end off the summary written
// in its batch, so a change made late (a catch-up) reads as it was.
#include "http/execution_changes.hpp"

#include "runtime/execution/events.hpp"
#include "runtime/execution/execution_summary.hpp"
#include "runtime/stream_names.hpp"
#include "runtime/time_format.hpp"

#include <boost/json.hpp>

namespace baley::http {
namespace json = boost::json;

namespace {

execution_change change_from(global_position position, const runtime::execution_summary& s) {
  json::object o{{"executionId", s.id},
                 {"flowId", s.flow_id},
                 {"status", runtime::status_name(s.status)},
                 {"startedAt", format_rfc3339_ms(s.started_at)},
                 {"completedAt",
                  s.completed_at ? json::value(format_rfc3339_ms(*s.completed_at)) : json::value()},
                 {"metrics", s.metrics},
                 {"trigger", runtime::trigger_json(s.trigger)}};
  return {position, s.workspace_id, s.trigger.kind == runtime::trigger_kind::test,
          json::serialize(o)};
}

bool is_start(std::string_view event_json) {
  // serialize_event writes "type" first.
  return event_json.starts_with(R"({"type":"execution_start")");
}

} // namespace

std::optional<execution_change> change_of(const storage::committed_event& e,
                                          const storage::event_log& log) {
  std::string_view stream = e.stream;
  if (!stream.starts_with(names::execution_stream_prefix))
    return std::nullopt;
  auto id = std::string(stream.substr(names::execution_stream_prefix.size()));
  auto bytes = storage::event_bytes(e.record);
  if (is_start(bytes)) {
    auto parsed = runtime::parse_event(bytes);
    const auto* start = parsed ? std::get_if<runtime::execution_start>(&parsed->payload) : nullptr;
    if (!start)
      return std::nullopt;
    runtime::execution_summary s{.id = id,
                                 .flow_id = start->flow_id,
                                 .flow_version = start->flow_version,
                                 .status = runtime::execution_status::running,
                                 .triggered_by = start->triggered_by,
                                 .trigger = start->trigger,
                                 .workspace_id = start->workspace_id,
                                 .started_at = parsed->ts};
    return change_from(e.position, s);
  }
  if (!runtime::terminal_status_of(bytes))
    return std::nullopt;
  auto stored = log.get_projection(storage::families::executions, id);
  if (!stored || !*stored)
    return std::nullopt;
  auto s = runtime::parse_summary(**stored);
  if (!s)
    return std::nullopt;
  return change_from(e.position, *s);
}

} // namespace baley::http
