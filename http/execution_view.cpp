// Execution JSON for the API; see execution_view.hpp.
#include "http/execution_view.hpp"

#include "runtime/time_format.hpp"

#include <boost/json.hpp>

namespace baley::http {
namespace json = boost::json;
using namespace runtime;

namespace {

json::value time_or_null(unix_ms t) {
  return t ? json::value(format_rfc3339_ms(t)) : json::value();
}

json::object task_json(const task_record& t) {
  json::object o;
  o["blockExecutionId"] = t.block_execution_id.empty() ? json::value()
                                                       : json::value(t.block_execution_id);
  o["status"] = status_name(t.status);
  o["attempts"] = t.attempts;
  o["startedAt"] = time_or_null(t.started_at);
  bool finished = t.status == node_status::completed || t.status == node_status::failed;
  o["completedAt"] = finished ? time_or_null(t.completed_at) : json::value();
  o["durationMs"] = finished ? json::value(t.duration_ms) : json::value();
  o["input"] = t.input;
  o["output"] = t.output;
  bool failed = !t.error.empty() && t.status != node_status::completed;
  o["error"] = failed ? json::value(t.error) : json::value();
  o["errorCode"] = failed && !t.error_code.empty() ? json::value(t.error_code) : json::value();
  if (failed && !t.error_debug.is_null())
    o["debug"] = t.error_debug;  // `serve --debug` only
  return o;
}

json::object node_json(const std::string& node_id, const node_record* record) {
  json::object o;
  o["nodeId"] = node_id;
  if (!record) {
    for (auto key : {"blockExecutionId", "startedAt", "completedAt", "durationMs", "input",
                     "output", "error", "errorCode"})
      o[key] = nullptr;
    o["status"] = "pending";
    o["attempts"] = 0;
    return o;
  }
  for (auto& [k, v] : task_json(record->task))
    o[k] = v;
  if (record->route)
    o["route"] = *record->route;
  if (!record->iterations.empty()) {
    json::array iterations;
    for (const auto& [i, t] : record->iterations) {
      auto it = task_json(t);
      it["iteration"] = i;
      iterations.push_back(std::move(it));
    }
    o["iterations"] = std::move(iterations);
  }
  if (record->tokens_input || record->tokens_output)
    o["tokens"] = json::object{{"input", record->tokens_input},
                               {"output", record->tokens_output}};
  return o;
}

} // namespace

json::object execution_view(const std::string& execution_id, const execution_state& state,
                            const compiled_flow* flow, unix_ms now) {
  json::object o;
  o["id"] = execution_id;
  o["flowId"] = state.flow_id;
  o["flowVersion"] = state.flow_version;
  o["status"] = status_name(state.status);
  o["input"] = state.input;
  o["output"] = state.output;
  o["error"] = state.error.empty() || state.status == execution_status::completed
                 ? json::value() : json::value(state.error);
  if (!state.error_node_id.empty())
    o["errorNodeId"] = state.error_node_id;
  o["errorCode"] = state.error_code.empty() || state.status == execution_status::completed
                     ? json::value() : json::value(state.error_code);
  o["triggeredBy"] = state.triggered_by;
  o["trigger"] = trigger_json(state.trigger);
  o["startedAt"] = time_or_null(state.started_at);
  o["completedAt"] = time_or_null(state.completed_at);
  o["metrics"] = execution_metrics(state, now);
  json::array nodes;
  if (flow) {
    for (const auto& node : flow->nodes) {
      auto it = state.nodes.find(node.id);
      auto n = node_json(node.id, it == state.nodes.end() ? nullptr : &it->second);
      n["type"] = node_kind_name(node.kind());
      nodes.push_back(std::move(n));
    }
  } else {
    for (const auto& [id, record] : state.nodes)
      nodes.push_back(node_json(id, &record));
  }
  o["nodes"] = std::move(nodes);
  o["eventCount"] = state.next_index.value();
  return o;
}

} // namespace baley::http
