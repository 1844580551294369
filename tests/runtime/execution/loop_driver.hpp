// Runs the real execution_loop synchronously, as the execution actor does but
// without actors, a log or a sandbox: every decision is validated, appended
// to an in-memory log and committed; inputMappings and task work run in this
// process, in the order they were set in motion; a retry timer advances the
// clock by its delay.
#pragma once

#include "runtime/execution/execution_loop.hpp"
#include "tests/runtime/test_flows.hpp"

#include <gtest/gtest.h>

#include <deque>

namespace baley::runtime::testing {

inline constexpr unix_ms start_time = 5'000;

class loop_driver {
public:
  explicit loop_driver(const json::value& definition)
    : flow_(compile_valid(definition, programs_)) {
    if (flow_)
      loop_.emplace(flow_, execution_state{});
    context_.now = start_time;
    context_.new_id = [this] { return "bx-" + std::to_string(++ids_); };
    context_.random01 = [] { return 0.5; };
  }

  bool ok() const { return loop_.has_value(); }
  const execution_state& state() const { return loop_->state(); }
  const std::vector<execution_event>& log() const { return log_; }
  execution_loop& loop() { return *loop_; }
  loop_context& context() { return context_; }

  // Appends execution_start and runs until the execution ends (or nothing
  // more happens).
  void run(json::value input, std::optional<rerun_plan> rerun = {}) {
    start(std::move(input), std::move(rerun));
    for (int guard = 0; guard < 1000 && step(); ++guard) {
    }
    EXPECT_TRUE(is_terminal(state().status)) << "the execution did not end";
  }

  void start(json::value input, std::optional<rerun_plan> rerun = {}) {
    commit({execution_event{context_.now,
                            execution_start{.input = std::move(input), .flow_id = "flow-1",
                                            .flow_version = 1, .triggered_by = "test",
                                            .rerun = std::move(rerun)}}});
  }

  // One decision, appended and committed; else one piece of pending work
  // done. False when nothing is left to do.
  bool step() {
    auto d = loop_->decide(context_);
    if (!d.empty()) {
      std::vector<jq_outputs> outputs;
      for (const auto& m : d.mappings)
        outputs.push_back(m.evaluation.program->run(*m.evaluation.input));
      settle_mappings(d, outputs);
      commit(std::move(d.events));
      return true;
    }
    if (work_.empty())
      return false;
    auto effect = std::move(work_.front());
    work_.pop_front();
    if (auto* retry = std::get_if<arm_retry>(&effect)) {
      context_.now += retry->delay_ms;
      loop_->receive(restart_due{retry->task, true});
      return true;
    }
    const auto& key = std::get<start_work>(effect).task;
    const auto* task = state().task(key.node_id, key.iteration);
    const auto& node = *flow_->find(key.node_id);
    loop_->receive(task_report{
      key, task->attempts,
      run_in_process(task_work(node, work_of(node, key.iteration), task->input))});
    return true;
  }

private:
  void commit(std::vector<execution_event> events) {
    for (const auto& e : events) {
      // What the loop decides is checked again against the state it will
      // follow: the actor relies on it.
      auto copy = state();
      for (const auto& earlier : pending_)
        apply(copy, earlier);
      EXPECT_TRUE(validate(copy, e)) << serialize_event(e);
      pending_.push_back(e);
    }
    pending_.clear();
    for (auto& effect : loop_->commit(events))
      work_.push_back(std::move(effect));
    log_.insert(log_.end(), events.begin(), events.end());
  }

  jq_cache programs_;
  std::shared_ptr<const compiled_flow> flow_;
  std::optional<execution_loop> loop_;
  loop_context context_;
  std::vector<execution_event> log_;
  std::vector<execution_event> pending_;
  std::deque<loop_effect> work_;
  int ids_ = 0;
};

} // namespace baley::runtime::testing
