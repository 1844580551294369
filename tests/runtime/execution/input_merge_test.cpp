// Tests for runtime/input_merge: how a node's input is made from its active
// predecessors (as is, object by id, array in edge order) and inputMapping.
#include "runtime/execution/input_merge.hpp"

#include "tests/runtime/test_flows.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <algorithm>
#include <string>
#include <vector>

namespace baley::runtime {
namespace {

namespace json = boost::json;
using testing::edge;
using testing::flow;
using testing::node;

// in -> {a, b, c} -> join (edges into join listed c, a, b) and -> arr (merge
// array, edges b, a); in -> single -> mapped.
class input_merge : public ::testing::Test {
protected:
  void SetUp() override {
    compiled_ = testing::compile_valid(
      flow({node("in", "source"), node("a", "parallel"), node("b", "parallel"),
            node("c", "parallel"), node("join", "sink"),
            node("arr", "sink", R"({"merge":"array"})"), node("single", "parallel"),
            node("mapped", "sink", R"({"inputMapping":"{sum: (.a + .b)}"})")},
           {edge("in", "a"), edge("in", "b"), edge("in", "c"), edge("c", "join"),
            edge("a", "join"), edge("b", "join"), edge("b", "arr"), edge("a", "arr"),
            edge("in", "single"), edge("single", "mapped")}),
      programs_);
    ASSERT_TRUE(compiled_);
    state_.nodes["a"].task.output = json::object{{"v", 1}};
    state_.nodes["b"].task.output = json::array{2, 2};
    state_.nodes["c"].task.output = "three";
    state_.nodes["single"].task.output = json::object{{"x", 9}};
  }

  const compiled_node& at(std::string_view id) const { return *compiled_->find(id); }

  // The in-edges of `id` whose source is in `sources`, in edge order.
  std::vector<std::size_t> active(std::string_view id,
                                  std::vector<std::string> sources) const {
    std::vector<std::size_t> out;
    for (auto e : at(id).in_edges)
      if (std::find(sources.begin(), sources.end(), compiled_->edges[e].source)
          != sources.end())
        out.push_back(e);
    return out;
  }

  json::value merge(std::string_view id, std::vector<std::string> sources) const {
    return merge_inputs(*compiled_, at(id), active(id, std::move(sources)), state_);
  }

  jq_cache programs_;
  std::shared_ptr<const compiled_flow> compiled_;
  execution_state state_;
};

TEST_F(input_merge, one_predecessor_gives_its_output_as_is) {
  EXPECT_EQ(merge("mapped", {"single"}), (json::object{{"x", 9}}));
  EXPECT_EQ(merge("join", {"b"}), (json::array{2, 2}));
}

TEST_F(input_merge, several_give_an_object_keyed_by_id_in_edge_order) {
  auto merged = merge("join", {"a", "b", "c"});
  ASSERT_TRUE(merged.is_object());
  std::vector<std::string> keys;
  for (const auto& kv : merged.as_object())
    keys.emplace_back(kv.key());
  EXPECT_EQ(keys, (std::vector<std::string>{"c", "a", "b"}));
  EXPECT_EQ(merged.at("a"), (json::object{{"v", 1}}));
  EXPECT_EQ(merged.at("b"), (json::array{2, 2}));
  EXPECT_EQ(merged.at("c"), "three");
}

TEST_F(input_merge, inactive_predecessors_are_left_out) {
  auto merged = merge("join", {"a", "b"});
  EXPECT_EQ(merged, (json::object{{"a", json::object{{"v", 1}}}, {"b", json::array{2, 2}}}));
  EXPECT_FALSE(merged.as_object().contains("c"));
}

TEST_F(input_merge, merge_array_follows_edge_order) {
  EXPECT_EQ(merge("arr", {"a", "b"}), (json::array{json::array{2, 2}, json::object{{"v", 1}}}));
  EXPECT_EQ(merge("arr", {"a"}), (json::array{json::object{{"v", 1}}}));
}

TEST_F(input_merge, a_predecessor_with_two_edges_counts_once) {
  std::vector<std::size_t> twice = {active("join", {"a"})[0], active("join", {"a"})[0]};
  EXPECT_EQ(merge_inputs(*compiled_, at("join"), twice, state_), (json::object{{"v", 1}}));
}

} // namespace
} // namespace baley::runtime
