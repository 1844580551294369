// Tests for runtime/execution/task_work: which evaluations each kind of work
// asks for, with which budget, and what their outputs or errors come to.
#include "runtime/execution/task_work.hpp"

#include "tests/runtime/test_flows.hpp"

#include <gtest/gtest.h>

namespace baley::runtime {
namespace {

namespace json = boost::json;
using testing::edge;
using testing::flow;
using testing::node;

class task_work_test : public ::testing::Test {
protected:
  task_work_test()
    : flow_(testing::compile_valid(
        flow({node("in", "source"),
              node("f", "function-block", R"({"code":".[]","timeoutMs":250})"),
              node("r", "router", R"({"routes":[{"name":"a","when":".a"},
                                                 {"name":"b","when":".b | not | not"}],
                                      "default":"z"})"),
              node("only", "router", R"({"default":"z"})"),
              node("strict", "router", R"({"routes":[{"name":"a","when":".a"}]})"),
              node("each", "loop", R"({"over":".xs","timeoutMs":900,
                                       "body":{"type":"function-block","code":". * 2",
                                               "timeoutMs":40}})"),
              node("loose", "loop", R"({"over":".xs","body":{"type":"function-block",
                                                             "code":"."}})"),
              node("a", "sink"), node("b", "sink"), node("z", "sink")},
             {edge("in", "f"), edge("in", "r"), edge("in", "only"), edge("in", "strict"),
              edge("in", "each"), edge("in", "loose"), edge("r", "a", "a"), edge("r", "b", "b"),
              edge("r", "z", "z"), edge("only", "z", "z"), edge("strict", "a", "a")}),
        programs_)) {}

  const compiled_node& at(std::string_view id) { return *flow_->find(id); }

  jq_cache programs_;
  std::shared_ptr<const compiled_flow> flow_;
};

TEST_F(task_work_test, nodes_without_jq_are_done_at_once_with_their_input) {
  for (auto id : {"in", "a"}) {
    task_work work(at(id), work_kind::run, json::object{{"k", 1}});
    EXPECT_FALSE(work.next()) << id;
    ASSERT_TRUE(work.outcome()) << id;
    EXPECT_EQ(std::get<node_output>(*work.outcome()).value, (json::object{{"k", 1}}));
  }
}

TEST_F(task_work_test, a_function_block_asks_for_its_code_within_its_budget) {
  task_work work(at("f"), work_kind::run, json::array{1, 2});
  auto evaluation = work.next();
  ASSERT_TRUE(evaluation);
  EXPECT_EQ(evaluation->program->code(), ".[]");
  EXPECT_EQ(*evaluation->input, (json::array{1, 2}));
  EXPECT_EQ(evaluation->timeout_ms, 250);
  work.take(std::vector<json::value>{1, 2});
  EXPECT_FALSE(work.next());
  EXPECT_EQ(std::get<node_output>(*work.outcome()).value, (json::array{1, 2}))
    << "several outputs give an array";
}

TEST_F(task_work_test, errors_keep_their_code_and_only_retryable_ones_retry) {
  task_work limited(at("f"), work_kind::run, json::array{});
  limited.take(error{limit_exceeded_code, "over its time budget", {}});
  const auto& failure = std::get<node_failure>(*limited.outcome());
  EXPECT_EQ(failure.code, "limit_exceeded");
  EXPECT_EQ(failure.message, "over its time budget");
  EXPECT_FALSE(failure.retryable);

  task_work flaky(at("f"), work_kind::run, json::array{});
  flaky.take(error{jq_error_retryable_code, "later", {}});
  EXPECT_TRUE(std::get<node_failure>(*flaky.outcome()).retryable);
  EXPECT_EQ(std::get<node_failure>(*flaky.outcome()).code, "jq_error");

  task_work unavailable(at("f"), work_kind::run, json::array{});
  unavailable.take(error{jq_unavailable_code, "no worker", {}});
  EXPECT_TRUE(std::get<node_failure>(*unavailable.outcome()).retryable);
}

TEST_F(task_work_test, a_router_tries_its_routes_in_order_then_the_default) {
  task_work work(at("r"), work_kind::run, json::object{{"b", true}});
  ASSERT_EQ(work.next()->program->code(), ".a");
  work.take(std::vector<json::value>{nullptr});
  ASSERT_EQ(work.next()->program->code(), ".b | not | not");
  work.take(std::vector<json::value>{true});
  EXPECT_FALSE(work.next());
  const auto& out = std::get<node_output>(*work.outcome());
  EXPECT_EQ(out.route, "b");
  EXPECT_EQ(out.value, (json::object{{"b", true}}));

  task_work none(at("r"), work_kind::run, json::object{});
  none.take(std::vector<json::value>{false});
  none.take(std::vector<json::value>{});
  EXPECT_EQ(std::get<node_output>(*none.outcome()).route, "z");

  task_work only(at("only"), work_kind::run, json::object{});
  EXPECT_FALSE(only.next());
  EXPECT_EQ(std::get<node_output>(*only.outcome()).route, "z");
}

TEST_F(task_work_test, a_route_error_names_the_route_and_is_not_retried) {
  task_work work(at("r"), work_kind::run, json::object{});
  work.take(error{jq_error_retryable_code, "flaky", {}});
  const auto& failure = std::get<node_failure>(*work.outcome());
  EXPECT_EQ(failure.message, "route 'a': flaky");
  EXPECT_FALSE(failure.retryable);

  task_work strict(at("strict"), work_kind::run, json::object{});
  strict.take(std::vector<json::value>{false});
  EXPECT_EQ(std::get<node_failure>(*strict.outcome()).message,
            "no route matched and the router has no default");
}

TEST_F(task_work_test, a_loop_asks_for_its_items_then_its_body_per_item) {
  EXPECT_EQ(work_of(at("each"), std::nullopt), work_kind::expand_loop);
  EXPECT_EQ(work_of(at("each"), 3u), work_kind::loop_body);
  EXPECT_EQ(work_of(at("f"), std::nullopt), work_kind::run);

  task_work items(at("each"), work_kind::expand_loop, json::object{{"xs", json::array{1}}});
  EXPECT_EQ(items.next()->program->code(), ".xs");
  EXPECT_EQ(items.next()->timeout_ms, 900);
  items.take(std::vector<json::value>{json::array{1, "two"}});
  EXPECT_EQ(std::get<loop_items>(*items.outcome()).items,
            (std::vector<json::value>{1, "two"}));

  task_work body(at("each"), work_kind::loop_body, 4);
  EXPECT_EQ(body.next()->program->code(), ". * 2");
  EXPECT_EQ(body.next()->timeout_ms, 40) << "the body's own budget";
  task_work loose(at("loose"), work_kind::loop_body, 4);
  EXPECT_FALSE(loose.next()->timeout_ms) << "none given: the server's default";
}

TEST_F(task_work_test, loop_items_must_be_an_array) {
  task_work work(at("each"), work_kind::expand_loop, json::object{});
  work.take(std::vector<json::value>{5});
  EXPECT_EQ(std::get<node_failure>(*work.outcome()).message, "over must give an array, got 5");
  task_work failed(at("each"), work_kind::expand_loop, json::object{});
  failed.take(error{jq_error_code, "bad", {}});
  EXPECT_EQ(std::get<node_failure>(*failed.outcome()).message, "over: bad");
}

TEST_F(task_work_test, run_in_process_runs_every_evaluation) {
  auto outcome = run_in_process(task_work(at("r"), work_kind::run, json::object{{"b", 1}}));
  EXPECT_EQ(std::get<node_output>(outcome).route, "b");
}

} // namespace
} // namespace baley::runtime
