// The execution events of DESIGN.md as one std::variant, spelled like their
// wire names, with their JSON form: serialized once at append, parsed on fold.
#pragma once

#include "runtime/execution/trigger.hpp"
#include "runtime/result.hpp"
#include "runtime/types.hpp"

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

namespace baley::runtime {

// What a rerun from a node takes from its parent execution (API.md "Rerun"):
// the recorded output, and a router's route, of every node that is not
// downstream of `from_node_id` and completed there; and the new input of
// that node when one was given. Recorded on execution_start, so a restart
// reuses exactly the same.
struct rerun_plan {
  struct recorded {
    boost::json::value output;
    std::optional<std::string> route;
  };
  std::string from_node_id;
  std::map<std::string, recorded> reuse;
  std::optional<boost::json::value> input;
};

struct execution_start {
  boost::json::value input;
  std::string flow_id;
  std::uint64_t flow_version = 0;
  std::string triggered_by;  // the trigger kind's name, kept for old readers
  runtime::trigger trigger;
  std::string workspace_id;  // empty for `baley run`
  // Stored blocks the flow uses, by id, at the versions this execution runs.
  std::map<std::string, std::uint64_t> block_versions;
  std::string idempotency_key;  // the request's Idempotency-Key; empty: none
  std::optional<rerun_plan> rerun;  // a rerun from a node
};

struct node_start {
  std::string node_id;
  std::string block_execution_id;
  std::uint32_t attempt = 1;
  boost::json::value input;
  std::optional<std::uint32_t> iteration;
  std::optional<unix_ms> deadline;  // delay nodes: when the wait ends
  bool reused = false;  // a rerun's copy of the parent's run: no work follows
};

struct node_stream {
  std::string node_id;
  boost::json::value event;  // {type:"text_delta",content} | {type:"tool_call",...}
  std::optional<std::uint32_t> iteration;
};

struct node_complete {
  std::string node_id;
  boost::json::value output;
  std::int64_t duration_ms = 0;
  std::optional<std::uint32_t> iteration;
  std::optional<std::string> route;  // routers: the route taken
  boost::json::value tokens;         // null or {input, output}
  std::optional<double> cost;
  std::optional<std::string> model;
  std::optional<std::int64_t> ttft_ms;         // ai-blocks
  std::optional<double> tokens_per_second;     // ai-blocks
  boost::json::value tool_calls;  // null, or [{id, name, arguments, output}]
  bool reused = false;  // a rerun's copy of the parent's output
};

struct node_error {
  std::string node_id;
  std::string error;
  std::uint32_t attempt = 1;
  bool retryable = false;
  std::optional<std::uint32_t> iteration;
  std::string code;  // the failure's class ("limit_exceeded"); empty: none
  boost::json::value debug;  // `serve --debug` only: {"detail","stackTrace"}
};

struct node_retry {
  std::string node_id;
  std::uint32_t attempt = 2;  // the next attempt's number
  std::int64_t delay_ms = 0;
  std::string error;
  std::optional<std::uint32_t> iteration;
};

struct node_skipped {
  std::string node_id;
  std::string reason;
};

struct node_fallback {
  std::string node_id;
  std::string from;
  std::string to;
};

struct execution_complete {
  boost::json::value output;
  boost::json::object metrics;
};

struct execution_error {
  std::string error;
  std::string node_id;  // empty when not about one node
  std::string code;     // the failing node's error code; empty: none
};

struct execution_cancelled {
  std::string reason;
};

using execution_event_payload =
  std::variant<execution_start, node_start, node_stream, node_complete,
               node_error, node_retry, node_skipped, node_fallback,
               execution_complete, execution_error, execution_cancelled>;

struct execution_event {
  unix_ms ts = 0;
  execution_event_payload payload;
};

bool is_terminal(const execution_event_payload& payload);

std::string_view type_name(const execution_event_payload& payload);

// {"type":...,"ts":"<RFC 3339>",...fields}: the bytes stored and streamed.
std::string serialize_event(const execution_event& event);

// Parses what serialize_event wrote. Unknown types are an error.
result<execution_event> parse_event(std::string_view json_text);
result<execution_event> event_from_json(const boost::json::object& object);

// flow_saved, the event of a flow version, is a config event:
// runtime/config_events.hpp.

} // namespace baley::runtime
