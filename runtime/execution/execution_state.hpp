// The state of one execution, derived only by folding its committed events:
// apply(state, event) is pure. validate() rejects a transition that is not
// allowed before anything is written.
#pragma once

#include "runtime/execution/events.hpp"

#include <map>
#include <string>
#include <vector>

namespace baley::runtime {

enum class execution_status { pending, running, completed, failed, cancelled };
enum class node_status {
  pending,
  running,
  waiting_retry,  // failed an attempt; a node_retry says when the next starts
  completed,
  failed,
  skipped,
  cancelled,
};

std::string_view status_name(execution_status status);
std::optional<execution_status> execution_status_from_name(std::string_view name);
// The API's node status ("pending" for waiting_retry).
std::string_view status_name(node_status status);
bool is_terminal(execution_status status);

// The status a terminal event leaves its execution in, read off the event's
// JSON text without parsing it (serialize_event writes "type" first); nothing
// for any other event. For readers of stored records (SSE, the CLI).
std::optional<execution_status> terminal_status_of(std::string_view event_json);

// A tool call an ai-block's model made and, once run, what it returned
// (node_stream tool_call / tool_result events). `round` numbers the model
// calls of the node run from 1; a new attempt goes on from the last one.
struct tool_step {
  std::string id;
  std::string name;
  boost::json::value arguments;
  std::optional<boost::json::value> output;
  std::uint32_t round = 1;
};

// One run of a node, or of one loop iteration, across its attempts.
struct task_record {
  node_status status = node_status::pending;
  std::uint32_t attempts = 0;  // node_start events
  std::uint32_t failures = 0;  // node_retry events
  // ai-block fallback models (node_fallback applies to the node's own task):
  std::uint32_t fallbacks = 0;                // node_fallback events
  std::uint32_t failures_since_fallback = 0;  // node_retry events since the last
  std::string model;  // the last node_fallback's `to`; empty: the block's model
  std::string block_execution_id;
  boost::json::value input;
  boost::json::value output;
  std::string error;
  std::string error_code;  // node_error.code
  boost::json::value error_debug;  // node_error.debug (`serve --debug` only)
  unix_ms started_at = 0;
  unix_ms completed_at = 0;
  std::int64_t duration_ms = 0;
  std::optional<unix_ms> deadline;  // delay nodes
  std::optional<unix_ms> retry_at;  // waiting_retry: when the next attempt starts
  std::vector<tool_step> tool_steps;  // ai-blocks with tools, oldest first
};

struct node_record {
  task_record task;
  std::optional<std::string> route;             // routers
  std::map<std::uint32_t, task_record> iterations;  // loops, by item index
  std::int64_t tokens_input = 0;
  std::int64_t tokens_output = 0;
  double cost = 0;
  // ai-blocks, from the node's own node_complete:
  std::optional<std::string> model;
  std::optional<std::int64_t> ttft_ms;
  std::optional<double> tokens_per_second;
};

struct execution_state {
  execution_status status = execution_status::pending;
  stream_index next_index{0};  // events folded so far
  boost::json::value input;
  std::string flow_id;
  std::uint64_t flow_version = 0;
  std::string triggered_by;
  runtime::trigger trigger;
  std::string workspace_id;
  std::map<std::string, std::uint64_t> block_versions;
  std::optional<rerun_plan> rerun;  // a rerun from a node: what it reuses
  boost::json::value output;
  std::string error;
  std::string error_node_id;
  std::string error_code;  // execution_error.code
  unix_ms started_at = 0;
  unix_ms completed_at = 0;
  std::map<std::string, node_record> nodes;

  const task_record* task(const std::string& node_id,
                          std::optional<std::uint32_t> iteration) const;
};

// Whether `event` may follow `state`; error code "invalid_state" if not.
status validate(const execution_state& state, const execution_event& event);

// Folds one committed event into the state.
void apply(execution_state& state, const execution_event& event);

// {"totalDurationMs","totalTokens","totalCost"} of the events folded so far.
boost::json::object execution_metrics(const execution_state& state, unix_ms now);

} // namespace baley::runtime
