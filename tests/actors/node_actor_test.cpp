// Node actors, one per kind, reporting to a scoped actor: function output,
// router route, jq failures, loop items and bodies, a delay's deadline, and
// the sandbox's limits: an endless program stopped at its budget, and an
// evaluation stopped when its node actor is.
#include "actors/node_actor.hpp"

#include "actor_harness.hpp"
#include "deterministic.hpp"
#include "actors/clock.hpp"

#include <caf/all.hpp>


namespace baley::actors {
namespace {

using namespace testing;

// One source feeding a node of every kind the tests need.
constexpr std::string_view flow_text = R"json({
  "nodes": [
    {"id": "in", "type": "source"},
    {"id": "double", "type": "function-block", "data": {"code": "{doubled: (.x * 2)}"}},
    {"id": "boom", "type": "function-block", "data": {"code": "error(\"boom\")"}},
    {"id": "flaky", "type": "function-block",
     "data": {"code": "error({message: \"try again\", retryable: true})"}},
    {"id": "route", "type": "router",
     "data": {"routes": [{"name": "big", "when": ".n > 10"}], "default": "small"}},
    {"id": "big", "type": "sink"},
    {"id": "small", "type": "sink"},
    {"id": "each", "type": "loop",
     "data": {"over": ".items", "body": {"type": "function-block", "code": ". * 10"}}},
    {"id": "wait", "type": "delay", "data": {"ms": 50}},
    {"id": "forever", "type": "function-block", "data": {"code": "def f: f; f", "timeoutMs": 300}}
  ],
  "edges": [
    {"source": "in", "target": "double"}, {"source": "in", "target": "boom"},
    {"source": "in", "target": "flaky"}, {"source": "in", "target": "route"},
    {"source": "route", "target": "big", "sourceHandle": "big"},
    {"source": "route", "target": "small", "sourceHandle": "small"},
    {"source": "in", "target": "each"}, {"source": "in", "target": "wait"},
    {"source": "in", "target": "forever"}
  ]
})json";

class node_actor_test : public ::testing::Test {
protected:
  node_actor_test() : flow_(compile(flow_text, programs_)) { world_.watch(nullptr, jq_.get()); }

  std::shared_ptr<const node_task> task(std::string_view node_id, std::string_view input,
                                        std::optional<std::uint32_t> iteration = {}) {
    node_task t;
    t.flow = flow_;
    t.node = flow_->find(node_id);
    t.key = {std::string(node_id), iteration};
    t.input = json::parse(input);
    return std::make_shared<const node_task>(std::move(t));
  }

  node_actor spawn(std::shared_ptr<const node_task> t) {
    return spawn_node(self_.ptr(), std::move(t),
                      {.parent = caf::actor_cast<task_parent>(self_),
                       .jq = jq_,
                       .via = world_.via(),
                       .time = world_.time()});
  }

  // The report that came, if one did by now.
  task_report_ptr report() {
    auto got = take_all<node_done_atom, task_report_ptr>(self_);
    EXPECT_LE(got.size(), 1u);
    return got.empty() ? nullptr : got.front();
  }

  // Spawns a node actor for `t`, runs, and takes its report.
  task_report_ptr run(std::shared_ptr<const node_task> t) {
    spawn(std::move(t));
    world_.run();
    auto got = report();
    EXPECT_TRUE(got) << "no node report";
    return got;
  }

  deterministic world_;
  runtime::jq_cache programs_;
  std::shared_ptr<const runtime::compiled_flow> flow_;
  std::shared_ptr<sandbox::jq_pool> jq_ = std::make_shared<sandbox::jq_pool>(test_jq_options());
  caf::scoped_actor self_{world_.system()};
};

const runtime::node_output& output_of(const runtime::task_report& r) {
  static const runtime::node_output none;
  auto* out = std::get_if<runtime::node_output>(&r.outcome);
  EXPECT_TRUE(out) << "the report is not a node_output";
  return out ? *out : none;
}

const runtime::node_failure& failure_of(const runtime::task_report& r) {
  static const runtime::node_failure none;
  auto* failure = std::get_if<runtime::node_failure>(&r.outcome);
  EXPECT_TRUE(failure) << "the report is not a node_failure";
  return failure ? *failure : none;
}

TEST_F(node_actor_test, function_block_reports_its_program_output) {
  auto r = run(task("double", R"({"x": 21})"));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->task.node_id, "double");
  EXPECT_EQ(r->attempt, 1u);
  EXPECT_FALSE(r->task.iteration);
  EXPECT_EQ(output_of(*r).value, json::parse(R"({"doubled": 42})"));
}

TEST_F(node_actor_test, router_reports_the_route_taken_and_passes_its_input) {
  auto big = run(task("route", R"({"n": 20})"));
  auto small = run(task("route", R"({"n": 1})"));
  ASSERT_TRUE(big && small);
  EXPECT_EQ(output_of(*big).route, "big");
  EXPECT_EQ(output_of(*big).value, json::parse(R"({"n": 20})"));
  EXPECT_EQ(output_of(*small).route, "small");
}

TEST_F(node_actor_test, jq_error_is_a_failure_retryable_only_when_it_says_so) {
  auto boom = run(task("boom", "{}"));
  auto flaky = run(task("flaky", "{}"));
  ASSERT_TRUE(boom && flaky);
  EXPECT_NE(failure_of(*boom).message.find("boom"), std::string::npos);
  EXPECT_FALSE(failure_of(*boom).retryable);
  EXPECT_EQ(failure_of(*flaky).message, "try again");
  EXPECT_TRUE(failure_of(*flaky).retryable);
}

TEST_F(node_actor_test, loop_expansion_reports_the_items_and_a_body_its_iteration) {
  auto expanded = run(task("each", R"({"items": [1, "two", {"three": 3}]})"));
  ASSERT_TRUE(expanded);
  auto* items = std::get_if<runtime::loop_items>(&expanded->outcome);
  ASSERT_TRUE(items);
  EXPECT_EQ(json::value(json::array(items->items.begin(), items->items.end())),
            json::parse(R"([1, "two", {"three": 3}])"));

  node_task body = *task("each", "4", 2u);
  body.attempt = 3;
  auto r = run(std::make_shared<const node_task>(std::move(body)));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->task.iteration, 2u);
  EXPECT_EQ(r->attempt, 3u);
  EXPECT_EQ(output_of(*r).value, json::value(40));
}

TEST_F(node_actor_test, loop_over_that_is_not_an_array_fails) {
  auto r = run(task("each", R"({"items": 5})"));
  ASSERT_TRUE(r);
  EXPECT_NE(failure_of(*r).message.find("array"), std::string::npos);
}

TEST_F(node_actor_test, an_endless_program_fails_at_its_time_budget) {
  auto began = std::chrono::steady_clock::now();
  auto r = run(task("forever", "{}"));
  ASSERT_TRUE(r);
  EXPECT_EQ(failure_of(*r).code, "limit_exceeded");
  EXPECT_NE(failure_of(*r).message.find("time budget of 300 ms"), std::string::npos)
    << failure_of(*r).message;
  EXPECT_FALSE(failure_of(*r).retryable);
  EXPECT_GE(std::chrono::steady_clock::now() - began, std::chrono::milliseconds(300))
    << "the sandbox's budget is wall-clock time in the worker, not the test's clock";
  EXPECT_EQ(jq_->stats().over_time, 1u);
}

TEST_F(node_actor_test, stopping_the_node_actor_stops_its_evaluation) {
  auto actor = spawn(task("forever", "{}"));
  world_.sched().run();  // the actor starts and submits its program
  self_->send_exit(actor, caf::exit_reason::user_shutdown);
  world_.run();  // it stops; its exit cancels the evaluation
  EXPECT_EQ(jq_->stats().cancelled, 1u);
  EXPECT_EQ(jq_->stats().over_time, 0u) << "stopped before its budget ran out";
  EXPECT_FALSE(report()) << "a stopped node reports nothing";
}

TEST_F(node_actor_test, delay_reports_its_input_at_its_deadline_and_not_before) {
  node_task wait = *task("wait", R"({"k": "v"})");
  wait.deadline = world_.time()->now() + 50;
  spawn(std::make_shared<const node_task>(std::move(wait)));
  world_.run();
  world_.advance(std::chrono::milliseconds(49));
  EXPECT_FALSE(report()) << "reported before its deadline";
  world_.advance(std::chrono::milliseconds(1));
  auto r = report();
  ASSERT_TRUE(r);
  EXPECT_EQ(output_of(*r).value, json::parse(R"({"k": "v"})"));
}

TEST_F(node_actor_test, delay_whose_deadline_has_passed_reports_at_once) {
  node_task wait = *task("wait", "1");
  wait.deadline = world_.time()->now() - 1000;
  auto r = run(std::make_shared<const node_task>(std::move(wait)));
  ASSERT_TRUE(r);
  EXPECT_EQ(output_of(*r).value, json::value(1));
}

} // namespace
} // namespace baley::actors
