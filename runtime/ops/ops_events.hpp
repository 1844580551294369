// Events of the server's own operation, each on a stream of its own: a
// circuit breaker changing state (system/breakers) and a call to a flow's
// webhook, accepted or refused (hooklog/<flowId>). Spelled like their wire
// names, serialized once; the webhook call's JSON is also its log entry.
#pragma once

#include "runtime/resilience/circuit_breaker.hpp"
#include "runtime/result.hpp"
#include "runtime/types.hpp"

#include <boost/json/object.hpp>

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>

namespace baley::runtime {

struct breaker_changed {
  std::string connection_id;
  std::string model;
  breaker_state from = breaker_state::closed;
  breaker_state to = breaker_state::closed;
};

struct webhook_called {
  std::string call_id;        // the entry's id; an execution's trigger names it
  std::string flow_id;
  unix_ms received_at = 0;
  int status = 0;             // the HTTP status answered
  std::string execution_id;   // empty: none started
  std::string error;          // empty: accepted
  std::string remote_addr;
  std::uint64_t body_bytes = 0;
  double latency_ms = 0;
};

using ops_event_payload = std::variant<breaker_changed, webhook_called>;

struct ops_event {
  unix_ms ts = 0;
  ops_event_payload payload;
};

std::string serialize_ops_event(const ops_event& event);
result<ops_event> parse_ops_event(std::string_view json_text);

// The webhook log entry of a call (GET /api/flows/{id}/webhook/logs):
// {"id","receivedAt","status","executionId","error","remoteAddr","bodyBytes",
//  "latencyMs"}.
boost::json::object webhook_call_entry(const webhook_called& call);

} // namespace baley::runtime
