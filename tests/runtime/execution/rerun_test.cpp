// Tests for runtime/execution/rerun and the loop's side of it: a rerun from a
// node copies every node before it (started and completed at once with the
// recorded output, and no work), gives the chosen node its new input, and
// runs it and everything after it again; the plan survives the log.
#include "runtime/execution/rerun.hpp"

#include "runtime/execution/execution_loop.hpp"
#include "tests/runtime/execution/loop_driver.hpp"

#include <gtest/gtest.h>

namespace baley::runtime {
namespace {

namespace json = boost::json;
using testing::all_of;
using testing::branches;
using testing::edge;
using testing::flow;
using testing::loop_driver;
using testing::node;

// in -> a (.n + 1) -> b (. * 10) -> c (. + 5) -> out
json::value chain() {
  return flow({node("in", "source"), node("a", "function-block", R"({"code":".n + 1"})"),
               node("b", "function-block", R"({"code":". * 10"})"),
               node("c", "function-block", R"({"code":". + 5"})"), node("out", "sink")},
              {edge("in", "a"), edge("a", "b"), edge("b", "c"), edge("c", "out")});
}

std::vector<std::string> started(const std::vector<execution_event>& log, bool reused) {
  std::vector<std::string> ids;
  for (const auto& s : all_of<node_start>(log))
    if (s.reused == reused)
      ids.push_back(s.node_id);
  return ids;
}

result<rerun_plan> plan_of(const json::value& definition, const execution_state& parent,
                           const std::string& from, std::optional<json::value> input = {}) {
  jq_cache programs;
  auto compiled = testing::compile_valid(definition, programs);
  return plan_rerun(*compiled, parent, from, std::move(input));
}

TEST(rerun, from_the_third_node_copies_the_first_two_and_runs_the_rest) {
  loop_driver parent(chain());
  parent.run(json::object{{"n", 1}});
  ASSERT_EQ(parent.state().output, 25);

  auto plan = plan_of(chain(), parent.state(), "b");
  ASSERT_TRUE(plan) << plan.error().message;
  EXPECT_EQ(plan->reuse.size(), 2u) << "in and a";
  loop_driver rerun(chain());
  rerun.run(json::object{{"n", 1}}, *plan);
  EXPECT_EQ(rerun.state().status, execution_status::completed);
  EXPECT_EQ(rerun.state().output, 25);
  EXPECT_EQ(started(rerun.log(), true), (std::vector<std::string>{"in", "a"}));
  EXPECT_EQ(started(rerun.log(), false), (std::vector<std::string>{"b", "c", "out"}));
  for (const auto& done : all_of<node_complete>(rerun.log()))
    EXPECT_EQ(done.reused, done.node_id == "in" || done.node_id == "a") << done.node_id;
  EXPECT_EQ(rerun.state().nodes.at("a").task.output, 2);
}

TEST(rerun, a_new_input_replaces_the_chosen_nodes_input) {
  loop_driver parent(chain());
  parent.run(json::object{{"n", 1}});
  auto plan = plan_of(chain(), parent.state(), "b", json::value(7));
  ASSERT_TRUE(plan);
  loop_driver rerun(chain());
  rerun.run(json::object{{"n", 1}}, *plan);
  EXPECT_EQ(all_of<node_start>(rerun.log(), "b").at(0).input, 7);
  EXPECT_EQ(rerun.state().output, 75);
}

TEST(rerun, from_the_source_runs_everything_again) {
  loop_driver parent(chain());
  parent.run(json::object{{"n", 1}});
  auto plan = plan_of(chain(), parent.state(), "in");
  ASSERT_TRUE(plan);
  EXPECT_TRUE(plan->reuse.empty());
  loop_driver rerun(chain());
  rerun.run(json::object{{"n", 2}}, *plan);
  EXPECT_TRUE(started(rerun.log(), true).empty());
  EXPECT_EQ(rerun.state().output, 35);
}

TEST(rerun, a_copied_router_keeps_its_route_and_the_other_branch_stays_skipped) {
  loop_driver parent(branches());
  parent.run(json::object{{"go", true}});
  auto plan = plan_of(branches(), parent.state(), "j");
  ASSERT_TRUE(plan);
  EXPECT_EQ(plan->reuse.at("r").route, "yes");
  EXPECT_FALSE(plan->reuse.contains("b")) << "skipped in the parent: not copied";
  loop_driver rerun(branches());
  rerun.run(json::object{{"go", true}}, *plan);
  EXPECT_EQ(rerun.state().status, execution_status::completed);
  EXPECT_EQ(rerun.state().nodes.at("r").route, "yes");
  EXPECT_EQ(rerun.state().nodes.at("b").task.status, node_status::skipped);
  EXPECT_EQ(started(rerun.log(), true), (std::vector<std::string>{"in", "r", "a"}));
  EXPECT_EQ(started(rerun.log(), false), (std::vector<std::string>{"j", "out"}));
  EXPECT_EQ(rerun.state().output, (json::object{{"from", "a"}}));
}

TEST(rerun, a_node_not_in_the_flow_is_invalid_node) {
  loop_driver parent(chain());
  parent.run(json::object{{"n", 1}});
  auto plan = plan_of(chain(), parent.state(), "nope");
  ASSERT_FALSE(plan);
  EXPECT_EQ(plan.error().code, "invalid_node");
}

TEST(rerun, the_plan_and_the_reused_marks_survive_the_log) {
  rerun_plan plan{.from_node_id = "b", .reuse = {}, .input = json::value(7)};
  plan.reuse.emplace("a", rerun_plan::recorded{json::value(2), std::nullopt});
  plan.reuse.emplace("r", rerun_plan::recorded{json::object{{"k", 1}}, std::string("yes")});
  execution_event start{1'000, execution_start{.input = json::object{}, .flow_id = "f",
                                               .flow_version = 3, .triggered_by = "rerun",
                                               .rerun = plan}};
  auto back = parse_event(serialize_event(start));
  ASSERT_TRUE(back);
  const auto& got = std::get<execution_start>(back->payload).rerun;
  ASSERT_TRUE(got);
  EXPECT_EQ(got->from_node_id, "b");
  EXPECT_EQ(got->input, json::value(7));
  EXPECT_EQ(got->reuse.at("a").output, 2);
  EXPECT_FALSE(got->reuse.at("a").route);
  EXPECT_EQ(got->reuse.at("r").route, "yes");

  execution_event copied{1'000, node_complete{.node_id = "a", .output = 2, .reused = true}};
  auto parsed = parse_event(serialize_event(copied));
  ASSERT_TRUE(parsed);
  EXPECT_TRUE(std::get<node_complete>(parsed->payload).reused);
  execution_event started_copy{1'000, node_start{.node_id = "a", .block_execution_id = "x",
                                                 .input = 1, .reused = true}};
  auto start_back = parse_event(serialize_event(started_copy));
  ASSERT_TRUE(start_back);
  EXPECT_TRUE(std::get<node_start>(start_back->payload).reused);
  EXPECT_EQ(serialize_event(execution_event{1'000, node_start{.node_id = "a"}}).find("reused"),
            std::string::npos) << "absent unless true";
}

} // namespace
} // namespace baley::runtime
