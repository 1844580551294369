// The decision loop of one execution, without actors: what to append next
// (answers to the reports, timers and cancels that arrived, else what the
// planner says), what each committed event sets in motion (a task's work, a
// retry timer), and what to do after a restart. The execution actor runs it
// over the real log; tests run it with a synchronous executor.
//
// Contract: state() changes only in commit(), by applying committed events.
// decide() drains the inputs received so far; the caller appends what it
// returns (after settling its input mappings) and calls commit() with those
// events once they are durable, before the next decide(). Pure: time, ids and
// randomness come from the loop_context.
#pragma once

#include "runtime/execution/execution_state.hpp"
#include "runtime/execution/task_outcome.hpp"
#include "runtime/execution/task_work.hpp"
#include "runtime/flow/flow.hpp"

#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <variant>
#include <vector>

namespace baley::runtime {

// One task of an execution: a node's own run, or one loop iteration.
struct task_key {
  std::string node_id;
  std::optional<std::uint32_t> iteration;
  auto operator<=>(const task_key&) const = default;
};

// What a task's work reports for one attempt.
struct task_report {
  task_key task;
  std::uint32_t attempt = 1;
  task_outcome outcome;
};

// A piece of an ai-block's reply as it streams in: a node_stream event.
struct stream_piece {
  task_key task;
  std::uint32_t attempt = 1;
  boost::json::value event;  // {type:"text_delta",content} | {type:"tool_call",...}
};

// Time to start the task's next attempt: its retry timer fired
// (after_retry), or it was running when the process stopped.
struct restart_due {
  task_key task;
  bool after_retry = false;
};

struct cancel_request {
  std::string reason;
};

using loop_input = std::variant<task_report, stream_piece, restart_due, cancel_request>;

struct loop_context {
  unix_ms now = 0;
  std::function<std::string()> new_id;  // block execution ids
  std::function<double()> random01;     // retry jitter
};

// A node_start whose input is the node's merged input: data.inputMapping is
// evaluated on it before the event is appended.
struct pending_mapping {
  std::size_t event = 0;  // index into decision::events
  jq_evaluation evaluation;
};

// Events to append, in order; `mappings` are evaluated first.
struct decision {
  std::vector<execution_event> events;
  std::vector<pending_mapping> mappings;

  bool empty() const { return events.empty(); }
};

// Settles the mappings of `d` with the outputs of their evaluations, one per
// mapping in order: each node_start gets its mapped input, or keeps the
// merged input and is followed by the node's node_error. Clears d.mappings
// (their evaluations point into d.events, which this changes).
void settle_mappings(decision& d, const std::vector<jq_outputs>& outputs);

// After a commit: start the work of a task's current attempt...
struct start_work {
  task_key task;
};
// ...or wake the task after delay_ms with restart_due{task, after_retry: true}.
struct arm_retry {
  task_key task;
  std::int64_t delay_ms = 0;
};
using loop_effect = std::variant<start_work, arm_retry>;

class execution_loop {
public:
  execution_loop(std::shared_ptr<const compiled_flow> flow, execution_state state);

  const compiled_flow& flow() const { return *flow_; }
  const std::shared_ptr<const compiled_flow>& flow_ptr() const { return flow_; }
  const execution_state& state() const { return state_; }

  // Queued until the next decide().
  void receive(loop_input input);

  // What to append now: answers to the inputs (those still current), else the
  // planner's next steps. Empty when there is nothing to write.
  decision decide(loop_context& ctx);

  // Applies events once they are committed; what they set in motion.
  std::vector<loop_effect> commit(const std::vector<execution_event>& events);

  // After a restart: retry timers are armed again for what is left of them;
  // delays wait what is left of their deadline and loops compute their
  // items again (start_work); other running tasks run again as a new attempt.
  std::vector<loop_effect> resume(unix_ms now);

private:
  std::optional<execution_event> answer(const task_report& report, loop_context& ctx);
  void add_piece(const stream_piece& piece, unix_ms now, std::vector<execution_event>& out);
  std::vector<execution_event> from_inputs(loop_context& ctx);
  decision from_planner(loop_context& ctx);
  void take_effect(const execution_event& event, std::vector<loop_effect>& effects);

  std::shared_ptr<const compiled_flow> flow_;
  execution_state state_;
  std::deque<loop_input> inputs_;
  // A running loop's items, from its own task's report, by node id.
  std::map<std::string, std::vector<boost::json::value>> loop_items_;
};

} // namespace baley::runtime
