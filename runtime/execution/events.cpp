// JSON form of the execution events: field names are the wire names of
// DESIGN.md (camelCase), "type" first and "ts" second.
#include "runtime/execution/events.hpp"

#include "runtime/json_fields.hpp"
#include "runtime/json_text.hpp"
#include "runtime/numbers.hpp"
#include "runtime/overloaded.hpp"
#include "runtime/stream_names.hpp"
#include "runtime/time_format.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <limits>

namespace baley::runtime {
namespace json = boost::json;
namespace {


void put_iteration(json::object& o, const std::optional<std::uint32_t>& it) {
  if (it)
    o["iteration"] = *it;
}

void fill(json::object& o, const execution_start& e) {
  o["input"] = e.input;
  o["flowId"] = e.flow_id;
  o["flowVersion"] = e.flow_version;
  o["triggeredBy"] = e.triggered_by;
  o["trigger"] = trigger_json(e.trigger);
  if (!e.workspace_id.empty())
    o["workspaceId"] = e.workspace_id;
  if (!e.block_versions.empty()) {
    json::object versions;
    for (const auto& [id, version] : e.block_versions)
      versions[id] = version;
    o["blockVersions"] = std::move(versions);
  }
  if (!e.idempotency_key.empty())
    o["idempotencyKey"] = e.idempotency_key;
  if (e.rerun) {
    json::object reuse;
    for (const auto& [id, recorded] : e.rerun->reuse) {
      json::object r{{"output", recorded.output}};
      if (recorded.route)
        r["route"] = *recorded.route;
      reuse[id] = std::move(r);
    }
    json::object rerun{{"fromNodeId", e.rerun->from_node_id}, {"reuse", std::move(reuse)}};
    if (e.rerun->input)
      rerun["input"] = *e.rerun->input;
    o["rerun"] = std::move(rerun);
  }
}
void fill(json::object& o, const node_start& e) {
  o["nodeId"] = e.node_id;
  o["blockExecutionId"] = e.block_execution_id;
  o["attempt"] = e.attempt;
  o["input"] = e.input;
  put_iteration(o, e.iteration);
  if (e.deadline)
    o["deadline"] = format_rfc3339_ms(*e.deadline);
  if (e.reused)
    o["reused"] = true;
}
void fill(json::object& o, const node_stream& e) {
  o["nodeId"] = e.node_id;
  o["event"] = e.event;
  put_iteration(o, e.iteration);
}
void fill(json::object& o, const node_complete& e) {
  o["nodeId"] = e.node_id;
  o["output"] = e.output;
  o["durationMs"] = e.duration_ms;
  put_iteration(o, e.iteration);
  if (e.route)
    o["route"] = *e.route;
  if (!e.tokens.is_null())
    o["tokens"] = e.tokens;
  if (e.cost)
    o["cost"] = *e.cost;
  if (e.model)
    o["model"] = *e.model;
  if (e.ttft_ms)
    o["ttftMs"] = *e.ttft_ms;
  if (e.tokens_per_second)
    o["tokensPerSecond"] = *e.tokens_per_second;
  if (!e.tool_calls.is_null())
    o["toolCalls"] = e.tool_calls;
  if (e.reused)
    o["reused"] = true;
}
void fill(json::object& o, const node_error& e) {
  o["nodeId"] = e.node_id;
  o["error"] = e.error;
  o["attempt"] = e.attempt;
  o["retryable"] = e.retryable;
  put_iteration(o, e.iteration);
  if (!e.code.empty())
    o["code"] = e.code;
  if (!e.debug.is_null())
    o["debug"] = e.debug;
}
void fill(json::object& o, const node_retry& e) {
  o["nodeId"] = e.node_id;
  o["attempt"] = e.attempt;
  o["delayMs"] = e.delay_ms;
  o["error"] = e.error;
  put_iteration(o, e.iteration);
}
void fill(json::object& o, const node_skipped& e) {
  o["nodeId"] = e.node_id;
  o["reason"] = e.reason;
}
void fill(json::object& o, const node_fallback& e) {
  o["nodeId"] = e.node_id;
  o["from"] = e.from;
  o["to"] = e.to;
}
void fill(json::object& o, const execution_complete& e) {
  o["output"] = e.output;
  o["metrics"] = e.metrics;
}
void fill(json::object& o, const execution_error& e) {
  o["error"] = e.error;
  if (!e.node_id.empty())
    o["nodeId"] = e.node_id;
  if (!e.code.empty())
    o["code"] = e.code;
}
void fill(json::object& o, const execution_cancelled& e) {
  if (!e.reason.empty())
    o["reason"] = e.reason;
}

} // namespace

bool is_terminal(const execution_event_payload& payload) {
  return std::holds_alternative<execution_complete>(payload)
         || std::holds_alternative<execution_error>(payload)
         || std::holds_alternative<execution_cancelled>(payload);
}

std::string_view type_name(const execution_event_payload& payload) {
  return std::visit(
    overloaded{
      [](const execution_start&) { return names::execution_start; },
      [](const node_start&) { return names::node_start; },
      [](const node_stream&) { return names::node_stream; },
      [](const node_complete&) { return names::node_complete; },
      [](const node_error&) { return names::node_error; },
      [](const node_retry&) { return names::node_retry; },
      [](const node_skipped&) { return names::node_skipped; },
      [](const node_fallback&) { return names::node_fallback; },
      [](const execution_complete&) { return names::execution_complete; },
      [](const execution_error&) { return names::execution_error; },
      [](const execution_cancelled&) { return names::execution_cancelled; },
    },
    payload);
}

std::string serialize_event(const execution_event& event) {
  json::object o;
  o["type"] = type_name(event.payload);
  o["ts"] = format_rfc3339_ms(event.ts);
  std::visit([&o](const auto& e) { fill(o, e); }, event.payload);
  return json::serialize(o);
}

result<execution_event> event_from_json(const json::object& o) {
  json_fields r{o, {}};
  execution_event out;
  auto ts = parse_rfc3339_ms(r.str("ts"));
  if (!ts)
    return ts.error();
  out.ts = *ts;
  auto type = r.str("type");
  if (type == names::execution_start) {
    execution_start e{.input = r.val("input"),
                      .flow_id = r.str("flowId"),
                      .flow_version = static_cast<std::uint64_t>(r.integer("flowVersion")),
                      .triggered_by = r.str("triggeredBy"),
                      .workspace_id = r.str("workspaceId"),
                      .idempotency_key = r.str("idempotencyKey")};
    if (auto* versions = o.if_contains("blockVersions"); versions && versions->is_object())
      for (const auto& [id, version] : versions->get_object())
        if (auto n = json_integer(version, 0, std::numeric_limits<std::int64_t>::max()))
          e.block_versions[std::string(id)] = static_cast<std::uint64_t>(*n);
    auto trigger = parse_trigger(o.if_contains("trigger"), e.triggered_by);
    if (!trigger)
      return trigger.error();
    e.trigger = std::move(trigger).value();
    if (auto* rerun = o.if_contains("rerun"); rerun && rerun->is_object()) {
      const auto& r = rerun->get_object();
      rerun_plan plan;
      if (auto* from = r.if_contains("fromNodeId"); from && from->is_string())
        plan.from_node_id = std::string(from->get_string());
      if (auto* reuse = r.if_contains("reuse"); reuse && reuse->is_object())
        for (const auto& [id, recorded] : reuse->get_object()) {
          if (!recorded.is_object())
            continue;
          const auto& fields = recorded.get_object();
          rerun_plan::recorded copy;
          if (auto* output = fields.if_contains("output"))
            copy.output = *output;
          if (auto* route = fields.if_contains("route"); route && route->is_string())
            copy.route = std::string(route->get_string());
          plan.reuse.emplace(std::string(id), std::move(copy));
        }
      if (auto* input = r.if_contains("input"))
        plan.input = *input;
      e.rerun = std::move(plan);
    }
    out.payload = std::move(e);
  } else if (type == names::node_start) {
    node_start e{.node_id = r.str("nodeId"),
                 .block_execution_id = r.str("blockExecutionId"),
                 .attempt = static_cast<std::uint32_t>(r.integer("attempt", 1)),
                 .input = r.val("input"),
                 .iteration = r.opt_u32("iteration"),
                 .reused = r.boolean("reused")};
    if (auto deadline = r.opt_str("deadline")) {
      auto parsed = parse_rfc3339_ms(*deadline);
      if (!parsed)
        return parsed.error();
      e.deadline = *parsed;
    }
    out.payload = std::move(e);
  } else if (type == names::node_stream) {
    out.payload = node_stream{.node_id = r.str("nodeId"),
                              .event = r.val("event"),
                              .iteration = r.opt_u32("iteration")};
  } else if (type == names::node_complete) {
    node_complete e{.node_id = r.str("nodeId"),
                    .output = r.val("output"),
                    .duration_ms = r.integer("durationMs"),
                    .iteration = r.opt_u32("iteration"),
                    .route = r.opt_str("route"),
                    .tokens = r.val("tokens"),
                    .model = r.opt_str("model")};
    if (auto* c = o.if_contains("cost"); c && c->is_number())
      e.cost = c->to_number<double>();
    if (auto* t = o.if_contains("ttftMs"))
      e.ttft_ms = json_integer(*t, 0, std::numeric_limits<std::int64_t>::max());
    if (auto* t = o.if_contains("tokensPerSecond"); t && t->is_number())
      e.tokens_per_second = t->to_number<double>();
    e.tool_calls = r.val("toolCalls");
    e.reused = r.boolean("reused");
    out.payload = std::move(e);
  } else if (type == names::node_error) {
    out.payload = node_error{.node_id = r.str("nodeId"),
                             .error = r.str("error"),
                             .attempt = static_cast<std::uint32_t>(r.integer("attempt", 1)),
                             .retryable = r.boolean("retryable"),
                             .iteration = r.opt_u32("iteration"),
                             .code = r.str("code"),
                             .debug = r.val("debug")};
  } else if (type == names::node_retry) {
    out.payload = node_retry{.node_id = r.str("nodeId"),
                             .attempt = static_cast<std::uint32_t>(r.integer("attempt", 2)),
                             .delay_ms = r.integer("delayMs"),
                             .error = r.str("error"),
                             .iteration = r.opt_u32("iteration")};
  } else if (type == names::node_skipped) {
    out.payload = node_skipped{.node_id = r.str("nodeId"), .reason = r.str("reason")};
  } else if (type == names::node_fallback) {
    out.payload = node_fallback{.node_id = r.str("nodeId"), .from = r.str("from"),
                                .to = r.str("to")};
  } else if (type == names::execution_complete) {
    auto metrics = r.val("metrics");
    out.payload = execution_complete{
      .output = r.val("output"),
      .metrics = metrics.is_object() ? metrics.get_object() : json::object{}};
  } else if (type == names::execution_error) {
    out.payload = execution_error{.error = r.str("error"), .node_id = r.str("nodeId"),
                                  .code = r.str("code")};
  } else if (type == names::execution_cancelled) {
    out.payload = execution_cancelled{.reason = r.str("reason")};
  } else {
    return error{"invalid_event", "unknown event type '" + type + "'", {}};
  }
  if (!r.problem.empty())
    return error{"invalid_event", type + ": " + r.problem, {}};
  return out;
}

result<execution_event> parse_event(std::string_view json_text) {
  boost::system::error_code ec;
  auto value = parse_stored_json(json_text, ec);
  if (ec || !value.is_object())
    return error{"invalid_event", "event is not a JSON object", {}};
  return event_from_json(value.get_object());
}

} // namespace baley::runtime
