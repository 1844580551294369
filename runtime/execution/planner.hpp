// Decides what happens next in an execution, from its compiled flow and its
// folded state: nodes to start or skip, loop iterations, the execution's end.
// Pure: time and new ids come from the caller's context.
#pragma once

#include "runtime/execution/execution_state.hpp"
#include "runtime/flow/flow.hpp"

#include <functional>
#include <vector>

namespace baley::runtime {

struct planner_context {
  unix_ms now = 0;
  std::function<std::string()> new_id;  // block execution ids
};

// Events that follow from `state`: node_start / node_skipped for every node
// whose predecessors are all decided, then execution_complete when every node
// completed or was skipped, or execution_error when a node failed. A node
// with data.inputMapping starts with its merged input: the caller evaluates
// the mapping before appending (execution_loop).
std::vector<execution_event> plan_next(const compiled_flow& flow,
                                       const execution_state& state,
                                       planner_context& context);

// Events that move a running loop on, given its items: iterations to start
// (up to data.concurrency), or the loop's own node_complete / node_error.
std::vector<execution_event> plan_loop(const compiled_node& loop,
                                       const node_record& record,
                                       const std::vector<boost::json::value>& items,
                                       planner_context& context);

// The node_start of the next attempt of a task that is running (restarted
// after a crash) or waiting for its retry.
execution_event restart_task(const std::string& node_id,
                             std::optional<std::uint32_t> iteration,
                             const task_record& task, planner_context& context);

} // namespace baley::runtime
