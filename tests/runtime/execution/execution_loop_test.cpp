// Tests for runtime/execution/execution_loop: whole executions decided by the
// real loop (as the execution actor runs it), with inputMappings and task work
// run in this process; the mapping settle rule; stale reports; cancel; resume.
#include "runtime/execution/execution_loop.hpp"

#include "runtime/json_text.hpp"
#include "tests/runtime/execution/loop_driver.hpp"

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
using testing::branches;
using testing::edge;
using testing::flow;
using testing::linear;
using testing::loop_driver;
using testing::node;
using testing::start_time;

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

json::value loop_flow(std::string_view loop_data) {
  return flow({node("in", "source"), node("each", "loop", loop_data), node("out", "sink")},
              {edge("in", "each"), edge("each", "out")});
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


TEST(execution_loop, linear_execution_completes_with_the_sink_output) {
  loop_driver e(linear());
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
  EXPECT_TRUE(e.loop().decide(e.context()).empty()) << "nothing after the end";
}

TEST(execution_loop, unchosen_route_is_skipped_and_the_skip_cascades) {
  loop_driver e(branches());
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

TEST(execution_loop, default_route_takes_the_other_branch) {
  loop_driver e(branches());
  e.run(json::object{{"go", false}});
  EXPECT_EQ(e.state().status, execution_status::completed);
  EXPECT_EQ(e.state().nodes.at("a").task.status, node_status::skipped);
  EXPECT_EQ(e.state().nodes.at("c").task.status, node_status::completed);
  EXPECT_EQ(e.state().output, (json::object{{"from", "b"}}));
}

TEST(execution_loop, several_sinks_give_an_object_keyed_by_sink_id) {
  loop_driver e(flow({node("in", "source"), node("s1", "sink"),
                 node("f", "function-block", R"({"code":".n + 1"})"),
                 node("s2", "sink", R"({"inputMapping":"{m: .}"})")},
                {edge("in", "s1"), edge("in", "f"), edge("f", "s2")}));
  e.run(json::object{{"n", 1}});
  EXPECT_EQ(e.state().status, execution_status::completed);
  EXPECT_EQ(e.state().output,
            (json::object{{"s1", json::object{{"n", 1}}}, {"s2", json::object{{"m", 2}}}}));
}

TEST(execution_loop, no_completed_sink_gives_null) {
  loop_driver e(flow({node("in", "source"),
                 node("r", "router", R"({"routes":[{"name":"yes","when":".go"}],"default":"no"})"),
                 node("f", "function-block", R"({"code":"1"})"), node("s", "sink")},
                {edge("in", "r"), edge("r", "f", "yes"), edge("r", "s", "no")}));
  e.run(json::object{{"go", true}});
  EXPECT_EQ(e.state().status, execution_status::completed);
  EXPECT_EQ(e.state().nodes.at("s").task.status, node_status::skipped);
  EXPECT_TRUE(e.state().output.is_null());
}

TEST(execution_loop, a_failed_node_fails_the_execution) {
  loop_driver e(flow({node("in", "source"),
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

TEST(execution_loop, router_without_match_or_default_fails) {
  loop_driver e(flow({node("in", "source"),
                 node("r", "router", R"({"routes":[{"name":"yes","when":".go"}]})"),
                 node("s", "sink")},
                {edge("in", "r"), edge("r", "s", "yes")}));
  e.run(json::object{{"go", false}});
  EXPECT_EQ(e.state().status, execution_status::failed);
  EXPECT_EQ(e.state().error_node_id, "r");
  EXPECT_NE(e.state().error.find("no route matched"), std::string::npos) << e.state().error;
}

TEST(execution_loop, input_mapping_shapes_the_input_before_the_node_starts) {
  loop_driver e(flow({node("in", "source"), node("out", "sink", R"({"inputMapping":"{b: .a}"})")},
                     {edge("in", "out")}));
  e.run(json::object{{"a", 1}});
  auto starts = all_of<node_start>(e.log(), "out");
  ASSERT_EQ(starts.size(), 1u);
  EXPECT_EQ(starts[0].input, (json::object{{"b", 1}})) << "node_start records the mapped input";
  EXPECT_EQ(e.state().output, (json::object{{"b", 1}}));
}

TEST(execution_loop, input_mapping_error_fails_the_node_at_start) {
  loop_driver e(flow({node("in", "source"), node("out", "sink", R"({"inputMapping":".a + 1"})")},
                     {edge("in", "out")}));
  e.run(json::object{{"a", "text"}});
  EXPECT_EQ(e.state().status, execution_status::failed);
  auto starts = all_of<node_start>(e.log(), "out");
  ASSERT_EQ(starts.size(), 1u);
  EXPECT_EQ(starts[0].input, (json::object{{"a", "text"}})) << "the merged input is kept";
  auto errors = all_of<node_error>(e.log(), "out");
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].error.rfind("inputMapping: ", 0), 0u) << errors[0].error;
  EXPECT_EQ(errors[0].code, "jq_error");
  EXPECT_FALSE(errors[0].retryable);
  EXPECT_EQ(std::get<execution_error>(e.log().back().payload).node_id, "out");
}

TEST(execution_loop, settle_mappings_inserts_each_error_after_its_own_start) {
  loop_driver e(flow({node("in", "source")}, {}));
  decision d;
  for (auto id : {"a", "b", "c"})
    d.events.push_back({start_time, node_start{.node_id = id, .block_execution_id = id,
                                               .input = json::object{{"n", 1}}}});
  jq_evaluation unused;
  d.mappings = {{0, unused}, {1, unused}, {2, unused}};
  std::vector<jq_outputs> outputs{std::vector<json::value>{1},
                                  baley::error{"limit_exceeded", "over budget", {}},
                                  std::vector<json::value>{2, 3}};
  settle_mappings(d, outputs);
  ASSERT_EQ(d.events.size(), 4u);
  EXPECT_EQ(std::get<node_start>(d.events[0].payload).input, 1);
  EXPECT_EQ(std::get<node_start>(d.events[1].payload).node_id, "b");
  const auto& failed = std::get<node_error>(d.events[2].payload);
  EXPECT_EQ(failed.node_id, "b");
  EXPECT_EQ(failed.code, "limit_exceeded");
  EXPECT_EQ(failed.error, "inputMapping: over budget");
  EXPECT_EQ(std::get<node_start>(d.events[3].payload).input, (json::array{2, 3}));
  EXPECT_TRUE(d.mappings.empty());
}

TEST(execution_loop, a_retryable_failure_is_retried_after_its_backoff) {
  loop_driver e(flow({node("in", "source"),
                      node("flaky", "function-block",
                           R"j({"code":"error({message: \"x\", retryable: true})",
                                "retry":{"maxRetries":2,"initialDelayMs":100}})j"),
                      node("out", "sink")},
                     {edge("in", "flaky"), edge("flaky", "out")}));
  e.run(json::object{});
  EXPECT_EQ(e.state().status, execution_status::failed);
  auto retries = all_of<node_retry>(e.log(), "flaky");
  ASSERT_EQ(retries.size(), 2u);
  EXPECT_EQ(retries[0].attempt, 2u);
  EXPECT_EQ(retries[1].attempt, 3u);
  auto errors = all_of<node_error>(e.log(), "flaky");
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].attempt, 3u);
  EXPECT_TRUE(errors[0].retryable);
  EXPECT_EQ(e.state().task("flaky", std::nullopt)->attempts, 3u);
}

TEST(execution_loop, a_report_of_an_older_attempt_is_ignored) {
  loop_driver e(flow({node("in", "source"), node("out", "sink")}, {edge("in", "out")}));
  e.start(json::object{});
  ASSERT_TRUE(e.step());  // in starts
  e.loop().receive(task_report{{"in", std::nullopt}, 7, node_output{.value = 1}});
  auto d = e.loop().decide(e.context());
  EXPECT_TRUE(d.empty()) << "attempt 7 never ran; only the planner could speak, and it waits";
}

TEST(execution_loop, cancel_drops_what_else_arrived) {
  loop_driver e(flow({node("in", "source"), node("out", "sink")}, {edge("in", "out")}));
  e.start(json::object{});
  ASSERT_TRUE(e.step());
  e.loop().receive(task_report{{"in", std::nullopt}, 1, node_output{.value = 1}});
  e.loop().receive(cancel_request{"stop"});
  auto d = e.loop().decide(e.context());
  ASSERT_EQ(d.events.size(), 1u);
  EXPECT_EQ(std::get<execution_cancelled>(d.events[0].payload).reason, "stop");
}

TEST(execution_loop, resume_restarts_running_tasks_and_rearms_retry_timers) {
  loop_driver e(flow({node("in", "source"), node("fan", "parallel"),
                      node("a", "function-block", R"({"code":"."})"),
                      node("b", "function-block", R"({"code":"."})")},
                     {edge("in", "fan"), edge("fan", "a"), edge("fan", "b")}));
  e.start(json::object{});
  while (!e.state().task("a", std::nullopt) && e.step()) {
  }
  // a and b run now (say b failed once and waits for its retry at +300 ms)
  // when the process stops.
  auto state = e.state();
  ASSERT_TRUE(state.task("a", std::nullopt));
  ASSERT_EQ(state.task("a", std::nullopt)->status, node_status::running);
  state.nodes["b"].task.status = node_status::waiting_retry;
  state.nodes["b"].task.retry_at = e.context().now + 300;
  execution_loop resumed(e.loop().flow_ptr(), state);
  auto effects = resumed.resume(e.context().now + 100);
  ASSERT_EQ(effects.size(), 1u);
  const auto& timer = std::get<arm_retry>(effects[0]);
  EXPECT_EQ(timer.task.node_id, "b");
  EXPECT_EQ(timer.delay_ms, 200) << "only what is left of the backoff";
  auto d = resumed.decide(e.context());
  ASSERT_EQ(d.events.size(), 1u);
  const auto& again = std::get<node_start>(d.events[0].payload);
  EXPECT_EQ(again.node_id, "a");
  EXPECT_EQ(again.attempt, 2u) << "a running task runs again as a new attempt";
}

TEST(execution_loop, loop_results_in_item_order_within_concurrency) {
  for (std::uint32_t concurrency : {1u, 2u, 3u}) {
    SCOPED_TRACE(concurrency);
    loop_driver e(loop_flow(R"({"over":".items","body":{"type":"function-block","code":". * 10"},
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

TEST(execution_loop, loop_over_no_items_gives_an_empty_array) {
  loop_driver e(loop_flow(R"({"over":".items","body":{"type":"function-block","code":"."}})"));
  e.run(json::object{{"items", json::array{}}});
  EXPECT_EQ(e.state().status, execution_status::completed);
  EXPECT_EQ(e.state().output, json::array{});
}

TEST(execution_loop, loop_refuses_more_items_than_max_iterations_before_any) {
  loop_driver e(loop_flow(R"({"over":".items","maxIterations":2,
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

TEST(execution_loop, a_failed_iteration_fails_the_loop_naming_it) {
  loop_driver e(loop_flow(R"({"over":".items","concurrency":2,"body":{"type":"function-block",
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

TEST(execution_loop, shared_conformance_cases) {
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
      loop_driver e(doc.at("flow"));
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
