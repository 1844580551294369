// Tests for runtime/planner: plan_next / plan_loop / restart_task driven by a
// small synchronous engine that validates and folds every event it plans.
#include "runtime/execution/planner.hpp"

#include "runtime/json_text.hpp"
#include "runtime/execution/node_work.hpp"
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
using testing::edge;
using testing::flow;
using testing::node;

constexpr unix_ms now = 5'000;

// The execution actor's loop without actors: plan, append (validate + apply),
// run the running nodes' work synchronously. Tests may step it by hand.
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
    append(execution_start{std::move(input), "flow-1", 1, "test"});
  }

  std::vector<execution_event> plan() {
    auto events = plan_next(*flow_, state_, context_);
    for (const auto& e : events)
      append(e.payload);
    return events;
  }

  // Runs the work of a running node: its result, or one step of a loop.
  void finish(const std::string& id) {
    const auto& node = *flow_->find(id);
    const auto task = state_.nodes.at(id).task;
    ASSERT_EQ(task.status, node_status::running) << id;
    if (node.kind == node_kind::loop)
      return step_loop(node, task.input);
    report(id, std::nullopt, task.attempts, run_node(node, task.input));
  }

  // Plans and finishes until a terminal event.
  void run(json::value input) {
    start(std::move(input));
    for (int guard = 0; guard < 200 && !is_terminal(state_.status); ++guard) {
      plan();
      std::vector<std::string> running;
      for (auto v : flow_->topological_order) {
        const auto* t = state_.task(flow_->nodes[v].id, std::nullopt);
        if (t && t->status == node_status::running)
          running.push_back(flow_->nodes[v].id);
      }
      if (is_terminal(state_.status))
        break;
      ASSERT_FALSE(running.empty()) << "nothing runs and the execution is not over";
      for (const auto& id : running)
        finish(id);
    }
    EXPECT_TRUE(is_terminal(state_.status));
  }

private:
  void report(const std::string& id, std::optional<std::uint32_t> iteration,
              std::uint32_t attempt, const node_result& result) {
    if (const auto* out = std::get_if<node_output>(&result))
      append(node_complete{id, out->value, 0, iteration, out->route, nullptr,
                           std::nullopt, std::nullopt});
    else
      append(node_error{id, std::get<node_failure>(result).message, attempt,
                        std::get<node_failure>(result).retryable, iteration});
  }

  // Plans the loop, then runs its running iterations, the last first.
  void step_loop(const compiled_node& loop, const json::value& input) {
    auto expanded = expand_loop(loop, input);
    if (auto* failure = std::get_if<node_failure>(&expanded))
      return report(loop.id, std::nullopt, 1, *failure);
    const auto& items = std::get<std::vector<json::value>>(expanded);
    for (const auto& e : plan_loop(loop, state_.nodes.at(loop.id), items, context_))
      append(e.payload);
    std::vector<std::uint32_t> running;
    for (const auto& [i, t] : state_.nodes.at(loop.id).iterations)
      if (t.status == node_status::running)
        running.push_back(i);
    std::reverse(running.begin(), running.end());
    for (auto i : running)
      report(loop.id, i, 1, run_loop_body(*loop.body, items[i]));
  }

  jq_cache programs_;
  std::shared_ptr<const compiled_flow> flow_;
  execution_state state_;
  std::vector<execution_event> log_;
  planner_context context_;
  int ids_ = 0;
};

template <class T>
std::vector<T> all_of(const std::vector<execution_event>& log) {
  std::vector<T> out;
  for (const auto& e : log)
    if (const auto* p = std::get_if<T>(&e.payload))
      out.push_back(*p);
  return out;
}

template <class T>
std::vector<T> all_of(const std::vector<execution_event>& log, std::string_view node_id) {
  auto out = all_of<T>(log);
  std::erase_if(out, [&](const T& e) { return e.node_id != node_id; });
  return out;
}

// The most iterations of `loop_id` running at once, by folding the log.
std::size_t max_live_iterations(const std::vector<execution_event>& log,
                                std::string_view loop_id) {
  auto iteration_of = [&](const auto* e) { return e && e->iteration && e->node_id == loop_id; };
  std::size_t live = 0, most = 0;
  for (const auto& e : log) {
    if (iteration_of(std::get_if<node_start>(&e.payload)))
      most = std::max(most, ++live);
    if (iteration_of(std::get_if<node_complete>(&e.payload))
        || iteration_of(std::get_if<node_error>(&e.payload)))
      --live;
  }
  return most;
}

json::value linear() {
  return flow({node("in", "source"), node("double", "function-block", R"({"code":".x * 2"})"),
               node("out", "sink")},
              {edge("in", "double"), edge("double", "out")});
}

json::value fan_in() {
  return flow({node("in", "source"), node("fan", "parallel"),
               node("a", "function-block", R"({"code":".x + 1"})"),
               node("b", "function-block", R"({"code":".x * 10"})"),
               node("join", "function-block", R"({"code":"."})"), node("out", "sink")},
              {edge("in", "fan"), edge("fan", "a"), edge("fan", "b"), edge("a", "join"),
               edge("b", "join"), edge("join", "out")});
}

// in -> r; r -yes-> a; r -no-> b -> c; a, c -> j -> out.
json::value branches() {
  return flow({node("in", "source"),
               node("r", "router", R"({"routes":[{"name":"yes","when":".go"}],"default":"no"})"),
               node("a", "function-block", R"({"code":"{from: \"a\"}"})"),
               node("b", "function-block", R"({"code":"{from: \"b\"}"})"),
               node("c", "function-block", R"({"code":"."})"),
               node("j", "function-block", R"({"code":"."})"), node("out", "sink")},
              {edge("in", "r"), edge("r", "a", "yes"), edge("r", "b", "no"), edge("b", "c"),
               edge("a", "j"), edge("c", "j"), edge("j", "out")});
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

TEST(planner, linear_execution_completes_with_the_sink_output) {
  engine e(linear());
  e.run(json::object{{"x", 4}});
  EXPECT_EQ(e.state().status, execution_status::completed);
  EXPECT_EQ(e.state().output, 8);
  auto done = all_of<execution_complete>(e.log());
  ASSERT_EQ(done.size(), 1u);
  EXPECT_EQ(done[0].metrics.at("totalTokens"), 0);
  std::vector<std::string> started;
  for (const auto& s : all_of<node_start>(e.log()))
    started.push_back(s.node_id);
  EXPECT_EQ(started, (std::vector<std::string>{"in", "double", "out"}));
  EXPECT_TRUE(e.plan().empty()) << "nothing after the end";
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

TEST(planner, unchosen_route_is_skipped_and_the_skip_cascades) {
  engine e(branches());
  e.run(json::object{{"go", true}});
  EXPECT_EQ(e.state().status, execution_status::completed);
  auto skipped = all_of<node_skipped>(e.log());
  ASSERT_EQ(skipped.size(), 2u);
  EXPECT_EQ(skipped[0].node_id, "b");
  EXPECT_EQ(skipped[0].reason, "route not chosen");
  EXPECT_EQ(skipped[1].node_id, "c");
  EXPECT_EQ(skipped[1].reason, "all predecessors skipped");
  // j has one completed predecessor: it runs, with that output as it is.
  auto j = all_of<node_start>(e.log(), "j");
  ASSERT_EQ(j.size(), 1u);
  EXPECT_EQ(j[0].input, (json::object{{"from", "a"}}));
  EXPECT_EQ(e.state().output, (json::object{{"from", "a"}}));
  EXPECT_EQ(e.state().nodes.at("r").route, "yes");
}

TEST(planner, default_route_takes_the_other_branch) {
  engine e(branches());
  e.run(json::object{{"go", false}});
  EXPECT_EQ(e.state().status, execution_status::completed);
  EXPECT_EQ(e.state().nodes.at("a").task.status, node_status::skipped);
  EXPECT_EQ(e.state().nodes.at("c").task.status, node_status::completed);
  EXPECT_EQ(e.state().output, (json::object{{"from", "b"}}));
}

TEST(planner, several_sinks_give_an_object_keyed_by_sink_id) {
  engine e(flow({node("in", "source"), node("s1", "sink"),
                 node("f", "function-block", R"({"code":".n + 1"})"),
                 node("s2", "sink", R"({"inputMapping":"{m: .}"})")},
                {edge("in", "s1"), edge("in", "f"), edge("f", "s2")}));
  e.run(json::object{{"n", 1}});
  EXPECT_EQ(e.state().status, execution_status::completed);
  EXPECT_EQ(e.state().output,
            (json::object{{"s1", json::object{{"n", 1}}}, {"s2", json::object{{"m", 2}}}}));
}

TEST(planner, no_completed_sink_gives_null) {
  engine e(flow({node("in", "source"),
                 node("r", "router", R"({"routes":[{"name":"yes","when":".go"}],"default":"no"})"),
                 node("f", "function-block", R"({"code":"1"})"), node("s", "sink")},
                {edge("in", "r"), edge("r", "f", "yes"), edge("r", "s", "no")}));
  e.run(json::object{{"go", true}});
  EXPECT_EQ(e.state().status, execution_status::completed);
  EXPECT_EQ(e.state().nodes.at("s").task.status, node_status::skipped);
  EXPECT_TRUE(e.state().output.is_null());
}

TEST(planner, a_failed_node_fails_the_execution) {
  engine e(flow({node("in", "source"),
                 node("check", "function-block", R"j({"code":"error(\"bad input\")"})j"),
                 node("out", "sink")},
                {edge("in", "check"), edge("check", "out")}));
  e.run(json::object{});
  EXPECT_EQ(e.state().status, execution_status::failed);
  EXPECT_EQ(e.state().error_node_id, "check");
  EXPECT_NE(e.state().error.find("bad input"), std::string::npos) << e.state().error;
  auto failed = all_of<execution_error>(e.log());
  ASSERT_EQ(failed.size(), 1u);
  EXPECT_EQ(failed[0].node_id, "check");
  EXPECT_TRUE(all_of<node_start>(e.log(), "out").empty());
}

TEST(planner, router_without_match_or_default_fails) {
  engine e(flow({node("in", "source"),
                 node("r", "router", R"({"routes":[{"name":"yes","when":".go"}]})"),
                 node("s", "sink")},
                {edge("in", "r"), edge("r", "s", "yes")}));
  e.run(json::object{{"go", false}});
  EXPECT_EQ(e.state().status, execution_status::failed);
  EXPECT_EQ(e.state().error_node_id, "r");
  EXPECT_NE(e.state().error.find("no route matched"), std::string::npos) << e.state().error;
}

TEST(planner, input_mapping_error_fails_the_node_at_start) {
  engine e(flow({node("in", "source"), node("out", "sink", R"({"inputMapping":".a + 1"})")},
                {edge("in", "out")}));
  e.start(json::object{{"a", "text"}});
  e.plan();
  e.finish("in");
  auto planned = e.plan();
  ASSERT_EQ(planned.size(), 2u);
  EXPECT_EQ(std::get<node_start>(planned[0].payload).input, (json::object{{"a", "text"}}));
  const auto& error = std::get<node_error>(planned[1].payload);
  EXPECT_EQ(error.node_id, "out");
  EXPECT_EQ(error.error.rfind("inputMapping: ", 0), 0u) << error.error;
  auto end = e.plan();
  ASSERT_EQ(end.size(), 1u);
  EXPECT_EQ(std::get<execution_error>(end[0].payload).node_id, "out");
}

TEST(planner, loop_results_in_item_order_within_concurrency) {
  for (std::uint32_t concurrency : {1u, 2u, 3u}) {
    SCOPED_TRACE(concurrency);
    engine e(loop_flow(R"({"over":".items","body":{"type":"function-block","code":". * 10"},
                           "concurrency":)" + std::to_string(concurrency) + "}"));
    e.run(json::object{{"items", json::array{1, 2, 3, 4, 5}}});
    EXPECT_EQ(e.state().status, execution_status::completed);
    EXPECT_EQ(e.state().output, (json::array{10, 20, 30, 40, 50}));
    EXPECT_EQ(max_live_iterations(e.log(), "each"), concurrency);
    auto starts = all_of<node_start>(e.log(), "each");
    ASSERT_EQ(starts.size(), 6u);
    EXPECT_FALSE(starts[0].iteration) << "the loop's own node_start has no iteration";
    for (std::uint32_t i = 0; i < 5; ++i)
      EXPECT_EQ(starts[i + 1].iteration, i);
    auto completes = all_of<node_complete>(e.log(), "each");
    ASSERT_EQ(completes.size(), 6u);
    EXPECT_FALSE(completes.back().iteration);
  }
}

TEST(planner, loop_over_no_items_gives_an_empty_array) {
  engine e(loop_flow(R"({"over":".items","body":{"type":"function-block","code":"."}})"));
  e.run(json::object{{"items", json::array{}}});
  EXPECT_EQ(e.state().status, execution_status::completed);
  EXPECT_EQ(e.state().output, json::array{});
}

TEST(planner, loop_refuses_more_items_than_max_iterations_before_any) {
  engine e(loop_flow(R"({"over":".items","maxIterations":2,
                        "body":{"type":"function-block","code":"."}})"));
  e.run(json::object{{"items", json::array{1, 2, 3}}});
  EXPECT_EQ(e.state().status, execution_status::failed);
  EXPECT_EQ(e.state().error_node_id, "each");
  auto errors = all_of<node_error>(e.log(), "each");
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_NE(errors[0].error.find("maxIterations"), std::string::npos) << errors[0].error;
  EXPECT_FALSE(errors[0].iteration);
  EXPECT_EQ(max_live_iterations(e.log(), "each"), 0u);
}

TEST(planner, a_failed_iteration_fails_the_loop_naming_it) {
  engine e(loop_flow(R"({"over":".items","concurrency":2,"body":{"type":"function-block",
                        "code":"if . == 2 then error(\"two\") else . end"}})"));
  e.run(json::object{{"items", json::array{1, 2, 3}}});
  EXPECT_EQ(e.state().status, execution_status::failed);
  EXPECT_EQ(e.state().error_node_id, "each");
  auto errors = all_of<node_error>(e.log(), "each");
  ASSERT_EQ(errors.size(), 2u);
  EXPECT_EQ(errors[0].iteration, 1u);
  EXPECT_FALSE(errors[1].iteration);
  EXPECT_NE(errors[1].error.find("iteration 1"), std::string::npos) << errors[1].error;
  EXPECT_NE(errors[1].error.find("two"), std::string::npos) << errors[1].error;
  EXPECT_TRUE(all_of<node_start>(e.log(), "out").empty());
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

std::string read_text(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::vector<std::string> ids(const json::object& expect, std::string_view key) {
  std::vector<std::string> out;
  if (const auto* list = expect.if_contains(key))
    for (const auto& id : list->as_array())
      out.emplace_back(id.as_string());
  return out;
}

// Every case of shared/conformance, run by the engine.
TEST(planner, shared_conformance_cases) {
  int cases = 0;
  for (const auto& entry : std::filesystem::directory_iterator(BALEY_CONFORMANCE_DIR)) {
    if (entry.path().extension() != ".json")
      continue;
    auto doc = json::parse(read_text(entry.path())).as_object();
    if (!doc.contains("cases"))
      continue;
    for (const auto& c : doc.at("cases").as_array()) {
      const auto& expect = c.at("expect").as_object();
      SCOPED_TRACE(entry.path().filename().string() + " " + to_json_text(c.at("input")));
      ++cases;
      engine e(doc.at("flow"));
      ASSERT_TRUE(e.ok());
      e.run(c.at("input"));
      EXPECT_EQ(status_name(e.state().status), expect.at("status").as_string());
      if (auto* output = expect.if_contains("output")) {
        EXPECT_TRUE(json_equal(e.state().output, *output)) << to_json_text(e.state().output);
      }
      if (auto* text = expect.if_contains("errorContains")) {
        EXPECT_NE(e.state().error.find(text->as_string()), std::string::npos)
          << e.state().error;
      }
      for (const auto& id : ids(expect, "skipped"))
        EXPECT_EQ(all_of<node_skipped>(e.log(), id).size(), 1u) << id;
      for (const auto& id : ids(expect, "completed")) {
        const auto* task = e.state().task(id, std::nullopt);
        ASSERT_TRUE(task) << id;
        EXPECT_EQ(task->status, node_status::completed) << id;
      }
    }
  }
  EXPECT_GE(cases, 5);
}

} // namespace
} // namespace baley::runtime
