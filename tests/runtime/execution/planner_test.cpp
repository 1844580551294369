// Tests for runtime/planner: plan_next / plan_loop / restart_task stepped by
// hand. Whole executions run through the execution loop (execution_loop_test).
#include "runtime/execution/planner.hpp"

#include "runtime/json_text.hpp"
#include "runtime/execution/task_work.hpp"
#include "tests/runtime/test_flows.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace baley::runtime {
namespace {

namespace json = boost::json;
using testing::all_of;
using testing::edge;
using testing::flow;
using testing::linear;
using testing::node;

constexpr unix_ms now = 5'000;

// plan_next and plan_loop stepped by hand: every planned event is validated
// and folded; a running node's work runs in this process on request.
class engine {
public:
  explicit engine(const json::value& definition)
      : flow_(testing::compile_valid(definition, programs_)) {
    context_.now = now;
    context_.new_id = [this] { return "bx-" + std::to_string(++ids_); };
  }
  engine(const engine&) = delete;

  bool ok() const { return flow_ != nullptr; }
  const compiled_flow& flow() const { return *flow_; }
  const execution_state& state() const { return state_; }
  const std::vector<execution_event>& log() const { return log_; }
  planner_context& context() { return context_; }

  void append(execution_event_payload payload) {
    execution_event event{context_.now, std::move(payload)};
    auto allowed = validate(state_, event);
    if (!allowed) {
      ADD_FAILURE() << "refused " << serialize_event(event) << ": "
                    << allowed.error().message;
      return;
    }
    apply(state_, event);
    log_.push_back(std::move(event));
  }

  void start(json::value input) {
    append(execution_start{.input = std::move(input), .flow_id = "flow-1", .flow_version = 1,
                           .triggered_by = "test"});
  }

  std::vector<execution_event> plan() {
    auto events = plan_next(*flow_, state_, context_);
    for (const auto& e : events)
      append(e.payload);
    return events;
  }

  // Runs the work of a running node (not a loop) and completes it.
  void finish(const std::string& id) {
    const auto& node = *flow_->find(id);
    const auto task = state_.nodes.at(id).task;
    ASSERT_EQ(task.status, node_status::running) << id;
    auto outcome = run_in_process(task_work(node, work_kind::run, task.input));
    const auto& out = std::get<node_output>(outcome);
    append(node_complete{.node_id = id, .output = out.value, .route = out.route});
  }

private:
  jq_cache programs_;
  std::shared_ptr<const compiled_flow> flow_;
  execution_state state_;
  std::vector<execution_event> log_;
  planner_context context_;
  int ids_ = 0;
};

json::value fan_in() {
  return flow({node("in", "source"), node("fan", "parallel"),
               node("a", "function-block", R"({"code":".x + 1"})"),
               node("b", "function-block", R"({"code":".x * 10"})"),
               node("join", "function-block", R"({"code":"."})"), node("out", "sink")},
              {edge("in", "fan"), edge("fan", "a"), edge("fan", "b"), edge("a", "join"),
               edge("b", "join"), edge("join", "out")});
}

json::value loop_flow(std::string_view loop_data) {
  return flow({node("in", "source"), node("each", "loop", loop_data), node("out", "sink")},
              {edge("in", "each"), edge("each", "out")});
}

TEST(planner, source_starts_first) {
  engine e(linear());
  ASSERT_TRUE(e.ok());
  e.start(json::object{{"x", 4}});
  auto first = e.plan();
  ASSERT_EQ(first.size(), 1u);
  EXPECT_EQ(first[0].ts, now);
  const auto& start = std::get<node_start>(first[0].payload);
  EXPECT_EQ(start.node_id, "in");
  EXPECT_EQ(start.attempt, 1u);
  EXPECT_EQ(start.block_execution_id, "bx-1");
  EXPECT_EQ(start.input, (json::object{{"x", 4}}));
  EXPECT_FALSE(start.iteration);
  EXPECT_TRUE(e.plan().empty()) << "nothing new while the source runs";
}

TEST(planner, join_waits_for_all_predecessors) {
  engine e(fan_in());
  e.start(json::object{{"x", 2}});
  e.plan();
  e.finish("in");
  e.plan();
  e.finish("fan");
  auto both = e.plan();
  std::vector<std::string> started;
  for (const auto& s : all_of<node_start>(both)) {
    started.push_back(s.node_id);
    EXPECT_EQ(s.input, (json::object{{"x", 2}}));
  }
  EXPECT_EQ(started, (std::vector<std::string>{"a", "b"}))
    << "siblings start in the order the flow declares them";
  e.finish("a");
  EXPECT_TRUE(e.plan().empty());
  EXPECT_EQ(e.state().task("join", std::nullopt), nullptr);
  e.finish("b");
  auto join = e.plan();
  ASSERT_EQ(join.size(), 1u);
  const auto& start = std::get<node_start>(join[0].payload);
  EXPECT_EQ(start.node_id, "join");
  EXPECT_EQ(start.input, (json::object{{"a", 3}, {"b", 20}}));
}

TEST(planner, plan_loop_needs_a_running_loop) {
  engine e(loop_flow(R"({"over":".","body":{"type":"function-block","code":"."}})"));
  node_record idle;
  EXPECT_TRUE(plan_loop(*e.flow().find("each"), idle, {1, 2}, e.context()).empty());
}

TEST(planner, delay_start_carries_its_deadline) {
  engine e(flow({node("in", "source"), node("wait", "delay", R"({"ms":1500})"),
                 node("out", "sink")},
                {edge("in", "wait"), edge("wait", "out")}));
  e.start(json::object{});
  e.plan();
  EXPECT_FALSE(std::get<node_start>(e.log().back().payload).deadline);
  e.finish("in");
  auto planned = e.plan();
  ASSERT_EQ(planned.size(), 1u);
  EXPECT_EQ(std::get<node_start>(planned[0].payload).deadline, now + 1500);
  EXPECT_EQ(e.state().task("wait", std::nullopt)->deadline, now + 1500);
}

TEST(planner, restart_task_is_a_new_attempt_with_the_same_input_and_deadline) {
  engine e(flow({node("in", "source"), node("wait", "delay", R"({"ms":1500})")},
                {edge("in", "wait")}));
  e.start(json::object{{"k", 1}});
  e.plan();
  e.finish("in");
  e.plan();
  // The process restarts later: the wait keeps its deadline.
  e.context().now = now + 700;
  auto task = *e.state().task("wait", std::nullopt);
  auto again = restart_task("wait", std::nullopt, task, e.context());
  EXPECT_EQ(again.ts, now + 700);
  e.append(again.payload);
  const auto& start = std::get<node_start>(again.payload);
  EXPECT_EQ(start.attempt, 2u);
  EXPECT_EQ(start.input, (json::object{{"k", 1}}));
  EXPECT_EQ(start.deadline, now + 1500);
  EXPECT_NE(start.block_execution_id, task.block_execution_id);
  EXPECT_EQ(e.state().task("wait", std::nullopt)->attempts, 2u);
}

TEST(planner, restart_task_after_a_retry_wait_keeps_the_iteration) {
  task_record waiting;
  waiting.status = node_status::waiting_retry;
  waiting.attempts = 2;
  waiting.failures = 2;
  waiting.input = json::array{1};
  planner_context context{now, [] { return std::string("bx-next"); }};
  auto again = restart_task("each", 4u, waiting, context);
  const auto& start = std::get<node_start>(again.payload);
  EXPECT_EQ(start.node_id, "each");
  EXPECT_EQ(start.attempt, 3u);
  EXPECT_EQ(start.iteration, 4u);
  EXPECT_EQ(start.input, json::array{1});
  EXPECT_EQ(start.block_execution_id, "bx-next");
  EXPECT_FALSE(start.deadline);
}

} // namespace
} // namespace baley::runtime
