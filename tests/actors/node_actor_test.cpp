// Node actors, one per kind, reporting to a scoped actor: function output,
// router route, jq failures, loop items and bodies, and a delay's deadline.
#include "actors/node_actor.hpp"

#include "actor_harness.hpp"
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
    {"id": "wait", "type": "delay", "data": {"ms": 50}}
  ],
  "edges": [
    {"source": "in", "target": "double"}, {"source": "in", "target": "boom"},
    {"source": "in", "target": "flaky"}, {"source": "in", "target": "route"},
    {"source": "route", "target": "big", "sourceHandle": "big"},
    {"source": "route", "target": "small", "sourceHandle": "small"},
    {"source": "in", "target": "each"}, {"source": "in", "target": "wait"}
  ]
})json";

class node_actor_test : public ::testing::Test {
protected:
  node_actor_test() : flow_(compile(flow_text, programs_)) {}

  std::shared_ptr<const node_task> task(std::string_view node_id, std::string_view input,
                                        node_work work = node_work::run) {
    node_task t;
    t.flow = flow_;
    t.node = flow_->find(node_id);
    t.work = work;
    t.input = json::parse(input);
    return std::make_shared<const node_task>(std::move(t));
  }

  // Spawns a node actor for `t` and waits for its report.
  node_report_ptr run(std::shared_ptr<const node_task> t) {
    system_.get().spawn(node_actor, caf::actor_cast<caf::actor>(self_), std::move(t));
    node_report_ptr got;
    self_->receive([&](node_done_atom, const node_report_ptr& r) { got = r; },
                   caf::after(patience) >> [] {});
    EXPECT_TRUE(got) << "no node report within " << patience.count() << "s";
    return got;
  }

  runtime::jq_cache programs_;
  std::shared_ptr<const runtime::compiled_flow> flow_;
  two_thread_system system_;
  caf::scoped_actor self_{system_.get()};
};

const runtime::node_output& output_of(const node_report& r) {
  static const runtime::node_output none;
  auto* out = std::get_if<runtime::node_output>(&r.outcome);
  EXPECT_TRUE(out) << "the report is not a node_output";
  return out ? *out : none;
}

const runtime::node_failure& failure_of(const node_report& r) {
  static const runtime::node_failure none;
  auto* failure = std::get_if<runtime::node_failure>(&r.outcome);
  EXPECT_TRUE(failure) << "the report is not a node_failure";
  return failure ? *failure : none;
}

TEST_F(node_actor_test, function_block_reports_its_program_output) {
  auto r = run(task("double", R"({"x": 21})"));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->node_id, "double");
  EXPECT_EQ(r->attempt, 1u);
  EXPECT_FALSE(r->iteration);
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
  auto expanded = run(task("each", R"({"items": [1, "two", {"three": 3}]})",
                           node_work::expand_loop));
  ASSERT_TRUE(expanded);
  auto* items = std::get_if<std::vector<json::value>>(&expanded->outcome);
  ASSERT_TRUE(items);
  EXPECT_EQ(json::value(json::array(items->begin(), items->end())),
            json::parse(R"([1, "two", {"three": 3}])"));

  node_task body = *task("each", "4", node_work::loop_body);
  body.iteration = 2;
  body.attempt = 3;
  auto r = run(std::make_shared<const node_task>(std::move(body)));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->iteration, 2u);
  EXPECT_EQ(r->attempt, 3u);
  EXPECT_EQ(output_of(*r).value, json::value(40));
}

TEST_F(node_actor_test, loop_over_that_is_not_an_array_fails) {
  auto r = run(task("each", R"({"items": 5})", node_work::expand_loop));
  ASSERT_TRUE(r);
  EXPECT_NE(failure_of(*r).message.find("array"), std::string::npos);
}

TEST_F(node_actor_test, delay_reports_its_input_no_earlier_than_its_deadline) {
  node_task wait = *task("wait", R"({"k": "v"})");
  wait.deadline = now_ms() + 50;
  auto deadline = *wait.deadline;
  auto r = run(std::make_shared<const node_task>(std::move(wait)));
  auto arrived = now_ms();
  ASSERT_TRUE(r);
  EXPECT_GE(arrived, deadline);
  EXPECT_LT(arrived, deadline + 5000);
  EXPECT_EQ(output_of(*r).value, json::parse(R"({"k": "v"})"));
}

TEST_F(node_actor_test, delay_whose_deadline_has_passed_reports_at_once) {
  node_task wait = *task("wait", "1");
  wait.deadline = now_ms() - 1000;
  auto r = run(std::make_shared<const node_task>(std::move(wait)));
  ASSERT_TRUE(r);
  EXPECT_EQ(output_of(*r).value, json::value(1));
}

} // namespace
} // namespace baley::actors
