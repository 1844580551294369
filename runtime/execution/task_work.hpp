// The work of one attempt of a deterministic task, as the jq evaluations it
// needs: a function-block's code, a router's `when`s in order until one holds,
// a loop's `over`, a loop body's code. Source, sink, parallel and delay need
// none. The caller runs each evaluation (in a sandboxed worker process, or in
// this process in tests) and hands its outputs back; the work decides what
// they mean. Pure.
#pragma once

#include "runtime/execution/task_outcome.hpp"
#include "runtime/flow/flow.hpp"

#include <optional>

namespace baley::runtime {

// Which part of a node a task runs.
enum class work_kind {
  run,          // the node's own work
  expand_loop,  // a loop's own task: its items from data.over
  loop_body,    // one loop iteration
};

work_kind work_of(const compiled_node& node, std::optional<std::uint32_t> iteration);

// One jq evaluation: `program` on `input`, within the node's time budget
// (data.timeoutMs; none: the server's default).
struct jq_evaluation {
  const jq_program* program = nullptr;  // owned by the compiled flow
  const boost::json::value* input = nullptr;
  std::optional<std::int64_t> timeout_ms;
};

// Every output of an evaluation, or its error (codes of jq_program.hpp).
using jq_outputs = result<std::vector<boost::json::value>>;

class task_work {
public:
  task_work(const compiled_node& node, work_kind kind, boost::json::value input);

  // The evaluation to run next; none once the outcome is known.
  std::optional<jq_evaluation> next() const;
  // The outputs of the evaluation next() gave.
  void take(const jq_outputs& outputs);
  // Set once the work is done.
  const std::optional<task_outcome>& outcome() const { return outcome_; }

private:
  const program_ptr* program() const;
  void take_route(const jq_outputs& outputs);

  const compiled_node& node_;
  const router_settings* router_;  // null unless the node is a router
  work_kind kind_;
  boost::json::value input_;
  std::size_t route_ = 0;  // routers: the route whose `when` runs next
  std::optional<task_outcome> outcome_;
};

// The failure an evaluation error becomes: its message, retryable only for
// error({retryable: true}), with its code.
node_failure failure_of(const baley::error& e, std::string prefix = {});

// Runs every evaluation of `work` in this process (tests and tools).
task_outcome run_in_process(task_work work);

} // namespace baley::runtime
