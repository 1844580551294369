// Operational events and their JSON; see ops_events.hpp.
#include "runtime/ops/ops_events.hpp"

#include "runtime/json_fields.hpp"
#include "runtime/json_text.hpp"
#include "runtime/stream_names.hpp"
#include "runtime/time_format.hpp"

#include <boost/json/serialize.hpp>

#include <cmath>

namespace baley::runtime {
namespace json = boost::json;
namespace {

json::value text_or_null(const std::string& text) {
  return text.empty() ? json::value() : json::value(text);
}

} // namespace

json::object webhook_call_entry(const webhook_called& c) {
  return json::object{{"id", c.call_id},
                      {"receivedAt", format_rfc3339_ms(c.received_at)},
                      {"status", c.status},
                      {"executionId", text_or_null(c.execution_id)},
                      {"error", text_or_null(c.error)},
                      {"remoteAddr", c.remote_addr},
                      {"bodyBytes", c.body_bytes},
                      {"latencyMs", std::round(c.latency_ms * 1000) / 1000}};
}

std::string serialize_ops_event(const ops_event& event) {
  json::object o;
  if (const auto* b = std::get_if<breaker_changed>(&event.payload)) {
    o["type"] = names::breaker_changed;
    o["ts"] = format_rfc3339_ms(event.ts);
    o["connectionId"] = b->connection_id;
    o["model"] = b->model;
    o["from"] = breaker_state_name(b->from);
    o["to"] = breaker_state_name(b->to);
  } else {
    const auto& c = std::get<webhook_called>(event.payload);
    o["type"] = names::webhook_called;
    o["ts"] = format_rfc3339_ms(event.ts);
    o["flowId"] = c.flow_id;
    for (auto& [key, value] : webhook_call_entry(c))
      o[key] = value;
  }
  return json::serialize(o);
}

result<ops_event> parse_ops_event(std::string_view json_text) {
  boost::system::error_code ec;
  auto value = parse_stored_json(json_text, ec);
  if (ec || !value.is_object())
    return error{"invalid_event", "event is not a JSON object", {}};
  const auto& o = value.get_object();
  json_fields r{o, {}};
  auto type = r.str("type");
  auto ts = parse_rfc3339_ms(r.str("ts"));
  if (!ts)
    return ts.error();
  ops_event out{.ts = *ts};
  if (type == names::breaker_changed) {
    auto from = breaker_state_from_name(r.str("from"));
    auto to = breaker_state_from_name(r.str("to"));
    if (!from || !to)
      return error{"invalid_event", "breaker_changed: unknown breaker state", {}};
    out.payload = breaker_changed{.connection_id = r.str("connectionId"), .model = r.str("model"),
                                  .from = *from, .to = *to};
  } else if (type == names::webhook_called) {
    auto received = parse_rfc3339_ms(r.str("receivedAt"));
    if (!received)
      return received.error();
    out.payload = webhook_called{.call_id = r.str("id"),
                                 .flow_id = r.str("flowId"),
                                 .received_at = *received,
                                 .status = static_cast<int>(r.integer("status")),
                                 .execution_id = r.str("executionId"),
                                 .error = r.str("error"),
                                 .remote_addr = r.str("remoteAddr"),
                                 .body_bytes = static_cast<std::uint64_t>(r.integer("bodyBytes")),
                                 .latency_ms = r.number("latencyMs", 0)};
  } else {
    return error{"invalid_event", "unknown event type '" + type + "'", {}};
  }
  if (!r.problem.empty())
    return error{"invalid_event", type + ": " + r.problem, {}};
  return out;
}

} // namespace baley::runtime
