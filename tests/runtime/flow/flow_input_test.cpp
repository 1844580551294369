// Tests for runtime/flow_input and the compiler's reading of a source's
// data.inputSchema: compiled once, a bad schema is a problem with the node
// id, and an input is checked against every source that has a schema.
#include "runtime/flow/flow_input.hpp"

#include "tests/runtime/test_flows.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>

namespace baley::runtime {
namespace {

namespace json = boost::json;
using testing::edge;
using testing::flow;
using testing::node;

constexpr const char* typed_source = R"({"inputSchema":{"type":"object","required":["name"],
  "properties":{"name":{"type":"string"}}}})";

TEST(flow_input, the_schema_is_compiled_with_the_flow) {
  jq_cache programs;
  auto compiled = testing::compile_valid(
    flow({node("in", "source", typed_source), node("out", "sink")}, {edge("in", "out")}),
    programs);
  ASSERT_TRUE(compiled);
  EXPECT_TRUE(compiled->find("in")->settings_of<source_settings>()->input_schema);
  EXPECT_FALSE(compiled->find("out")->settings_of<source_settings>());
}

TEST(flow_input, an_invalid_schema_is_a_problem_of_its_node) {
  jq_cache programs;
  auto outcome = compile_flow(
    flow({node("in", "source", R"({"inputSchema":{"type":"objekt"}})"),
          node("f", "function-block", R"({"code":".["})"), node("out", "sink")},
         {edge("in", "f"), edge("f", "out")}),
    programs);
  EXPECT_FALSE(outcome.flow);
  ASSERT_EQ(outcome.problems.size(), 2u) << "reported with the other problems";
  EXPECT_EQ(outcome.problems[0].node_id, "in");
  EXPECT_NE(outcome.problems[0].message.find("data.inputSchema"), std::string::npos);
  EXPECT_NE(outcome.problems[0].message.find("objekt"), std::string::npos);
  EXPECT_EQ(outcome.problems[1].node_id, "f");
}

TEST(flow_input, an_input_the_schema_accepts_passes) {
  jq_cache programs;
  auto compiled = testing::compile_valid(
    flow({node("in", "source", typed_source), node("out", "sink")}, {edge("in", "out")}),
    programs);
  ASSERT_TRUE(compiled);
  EXPECT_TRUE(validate_flow_input(*compiled, json::parse(R"({"name":"x"})")));
}

TEST(flow_input, a_mismatch_names_the_source_and_the_path) {
  jq_cache programs;
  auto compiled = testing::compile_valid(
    flow({node("in", "source", typed_source), node("out", "sink")}, {edge("in", "out")}),
    programs);
  ASSERT_TRUE(compiled);
  auto verdict = validate_flow_input(*compiled, json::parse(R"({"name":5})"));
  ASSERT_FALSE(verdict);
  EXPECT_EQ(verdict.error().code, "invalid_input");
  EXPECT_EQ(verdict.error().node_id, "in");
  EXPECT_EQ(verdict.error().message, "source 'in': input.name: expected string, got number");
  EXPECT_FALSE(validate_flow_input(*compiled, json::object()));
}

TEST(flow_input, every_source_with_a_schema_checks_the_input) {
  jq_cache programs;
  auto compiled = testing::compile_valid(
    flow({node("a", "source"), node("b", "source", R"({"inputSchema":{"required":["id"]}})"),
          node("out", "sink")},
         {edge("a", "out"), edge("b", "out")}),
    programs);
  ASSERT_TRUE(compiled);
  auto verdict = validate_flow_input(*compiled, json::object());
  ASSERT_FALSE(verdict);
  EXPECT_EQ(verdict.error().node_id, "b");
  EXPECT_TRUE(validate_flow_input(*compiled, json::parse(R"({"id":1})")));
}

TEST(flow_input, no_schema_accepts_anything) {
  jq_cache programs;
  auto compiled = testing::compile_valid(
    flow({node("in", "source"), node("out", "sink")}, {edge("in", "out")}), programs);
  ASSERT_TRUE(compiled);
  EXPECT_TRUE(validate_flow_input(*compiled, json::value(nullptr)));
  auto with_null = testing::compile_valid(
    flow({node("in", "source", R"({"inputSchema":null})"), node("out", "sink")},
         {edge("in", "out")}),
    programs);
  ASSERT_TRUE(with_null);
  EXPECT_FALSE(with_null->find("in")->settings_of<source_settings>()->input_schema);
}

} // namespace
} // namespace baley::runtime
