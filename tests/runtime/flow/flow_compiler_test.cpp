// Tests for runtime/flow_compiler (flow.hpp): every problem of a flow reported
// at once with its node id, settings read, topological order, invalid_flow body.
#include "runtime/flow/flow_compiler.hpp"

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

std::vector<flow_problem> problems_of(const json::value& definition) {
  jq_cache programs;
  auto outcome = compile_flow(definition, programs);
  EXPECT_EQ(outcome.flow == nullptr, !outcome.problems.empty());
  return outcome.problems;
}

std::string dump(const std::vector<flow_problem>& problems) {
  std::string out;
  for (const auto& p : problems)
    out += "\n  [" + p.node_id + "] " + p.message;
  return out;
}

// Whether some problem has this node id and a message containing `text`.
bool has(const std::vector<flow_problem>& problems, std::string_view node_id,
         std::string_view text) {
  return std::any_of(problems.begin(), problems.end(), [&](const flow_problem& p) {
    return p.node_id == node_id && p.message.find(text) != std::string::npos;
  });
}

bool names(const std::vector<flow_problem>& problems, std::string_view node_id) {
  return has(problems, node_id, "");
}

TEST(flow_compiler, valid_flow_is_in_topological_order) {
  // Nodes listed out of order; a diamond with a tail.
  auto definition = flow({node("out", "sink"), node("join", "function-block", R"({"code":"."})"),
                          node("b", "parallel"), node("a", "delay", R"({"ms":5})"),
                          node("in", "source")},
                         {edge("join", "out"), edge("in", "a"), edge("a", "join"),
                          edge("in", "b"), edge("b", "join")});
  jq_cache programs;
  auto compiled = testing::compile_valid(definition, programs);
  ASSERT_TRUE(compiled);
  EXPECT_EQ(compiled->name, "test");
  ASSERT_EQ(compiled->topological_order.size(), compiled->nodes.size());
  std::vector<std::size_t> position(compiled->nodes.size());
  for (std::size_t i = 0; i < compiled->topological_order.size(); ++i)
    position[compiled->topological_order[i]] = i;
  for (const auto& e : compiled->edges)
    EXPECT_LT(position[compiled->node_index.at(e.source)],
              position[compiled->node_index.at(e.target)])
      << e.id;
  const auto* join = compiled->find("join");
  ASSERT_TRUE(join);
  EXPECT_EQ(join->kind(), node_kind::function_block);
  EXPECT_EQ(join->in_edges.size(), 2u);
  ASSERT_TRUE(join->settings_of<function_settings>());
  EXPECT_TRUE(join->settings_of<function_settings>()->code);
  EXPECT_FALSE(join->settings_of<router_settings>());
  EXPECT_EQ(compiled->find("ghost"), nullptr);
}

TEST(flow_compiler, reads_node_settings) {
  auto definition = flow(
    {node("in", "source"),
     node("r", "router", R"({"routes":[{"name":"hi","when":".x > 1"}],"default":"lo"})"),
     node("each", "loop",
          R"({"over":".xs","concurrency":3,"maxIterations":7,
              "body":{"type":"function-block","code":". + 1","retry":{"maxRetries":2}}})"),
     node("wait", "delay", R"({"ms":250})"),
     node("j", "function-block",
          R"({"code":".","merge":"array","inputMapping":".","retry":{"maxRetries":4}})")},
    {edge("in", "r"), edge("r", "each", "hi"), edge("r", "wait", "lo"), edge("each", "j"),
     edge("wait", "j")});
  jq_cache programs;
  auto compiled = testing::compile_valid(definition, programs);
  ASSERT_TRUE(compiled);
  ASSERT_EQ(compiled->find("r")->kind(), node_kind::router);
  const auto& r = std::get<router_settings>(compiled->find("r")->settings);
  ASSERT_EQ(r.routes.size(), 1u);
  EXPECT_EQ(r.routes[0].name, "hi");
  EXPECT_TRUE(r.routes[0].when);
  EXPECT_EQ(r.default_route, "lo");
  ASSERT_EQ(compiled->find("each")->kind(), node_kind::loop);
  const auto& each = std::get<loop_settings>(compiled->find("each")->settings);
  EXPECT_TRUE(each.over);
  EXPECT_EQ(each.concurrency, 3u);
  EXPECT_EQ(each.max_iterations, 7u);
  EXPECT_TRUE(each.body.code);
  EXPECT_EQ(each.body.retry.max_retries, 2u);
  ASSERT_EQ(compiled->find("wait")->kind(), node_kind::delay);
  EXPECT_EQ(std::get<delay_settings>(compiled->find("wait")->settings).delay_ms, 250);
  const auto& j = *compiled->find("j");
  EXPECT_TRUE(j.merge_array);
  EXPECT_TRUE(j.input_mapping);
  EXPECT_EQ(j.retry.max_retries, 4u);
  EXPECT_EQ(compiled->find("in")->kind(), node_kind::source);
}

TEST(flow_compiler, a_loop_without_limits_gets_the_defaults) {
  jq_cache programs;
  auto compiled = testing::compile_valid(
    flow({node("in", "source"),
          node("each", "loop", R"({"over":".","body":{"type":"function-block","code":"."}})"),
          node("out", "sink")},
         {edge("in", "each"), edge("each", "out")}),
    programs);
  ASSERT_TRUE(compiled);
  const auto* each = compiled->find("each")->settings_of<loop_settings>();
  ASSERT_TRUE(each);
  EXPECT_EQ(each->concurrency, 1u);
  EXPECT_EQ(each->max_iterations, 1000u);
  EXPECT_FALSE(each->body.timeout_ms);
}

TEST(flow_compiler, every_kind_has_its_own_settings) {
  for (auto kind : {node_kind::source, node_kind::sink, node_kind::function_block,
                    node_kind::router, node_kind::parallel, node_kind::loop,
                    node_kind::delay, node_kind::ai_block}) {
    compiled_node node{.id = "n", .settings = default_settings(kind)};
    EXPECT_EQ(node.kind(), kind) << node_kind_name(kind);
    EXPECT_EQ(node_kind_from_name(node_kind_name(kind)), kind);
  }
  EXPECT_FALSE(node_kind_from_name("function_block"));
}

TEST(flow_compiler, reports_every_problem_at_once) {
  auto problems = problems_of(flow(
    {node("in", "source"), node("x", "teleport"), node("dup", "sink"), node("dup", "sink"),
     node("bad", "function-block", R"({"code":".a | | .b"})")},
    {edge("in", "x"), edge("x", "dup"), edge("in", "bad"), edge("bad", "ghost")}));
  EXPECT_TRUE(has(problems, "x", "unknown node type \"teleport\"")) << dump(problems);
  EXPECT_TRUE(has(problems, "dup", "duplicate node id")) << dump(problems);
  EXPECT_TRUE(has(problems, "ghost", "unknown node 'ghost'")) << dump(problems);
  EXPECT_TRUE(has(problems, "bad", "data.code")) << dump(problems);
  EXPECT_EQ(problems.size(), 4u) << dump(problems);
}

TEST(flow_compiler, dangling_edge_names_the_missing_node) {
  auto problems = problems_of(
    flow({node("in", "source"), node("out", "sink")},
         {edge("in", "out"), edge("nowhere", "out"), edge("in", "void")}));
  EXPECT_TRUE(has(problems, "nowhere", "edge 'nowhere->out'")) << dump(problems);
  EXPECT_TRUE(has(problems, "void", "edge 'in->void'")) << dump(problems);
  EXPECT_FALSE(names(problems, "in")) << dump(problems);
  EXPECT_FALSE(names(problems, "out")) << dump(problems);
}

TEST(flow_compiler, cycle_names_its_members_only) {
  auto problems = problems_of(flow(
    {node("in", "source"), node("a", "parallel"), node("b", "parallel"),
     node("c", "parallel"), node("after", "parallel"), node("out", "sink")},
    {edge("in", "a"), edge("a", "b"), edge("b", "c"), edge("c", "a"), edge("c", "after"),
     edge("after", "out")}));
  for (auto id : {"a", "b", "c"})
    EXPECT_TRUE(has(problems, id, "cycle")) << id << dump(problems);
  for (auto id : {"in", "after", "out"})
    EXPECT_FALSE(names(problems, id)) << id << dump(problems);
}

TEST(flow_compiler, self_loop_is_a_cycle) {
  auto problems = problems_of(flow({node("in", "source"), node("a", "parallel"),
                                    node("out", "sink")},
                                   {edge("in", "a"), edge("a", "a"), edge("a", "out")}));
  EXPECT_TRUE(has(problems, "a", "cycle")) << dump(problems);
  EXPECT_EQ(problems.size(), 1u) << dump(problems);
}

TEST(flow_compiler, needs_a_source) {
  auto problems = problems_of(flow({node("a", "parallel"), node("out", "sink")},
                                   {edge("a", "out")}));
  EXPECT_TRUE(has(problems, "", "flow has no source node")) << dump(problems);
  EXPECT_TRUE(has(problems, "a", "no incoming edge")) << dump(problems);
  EXPECT_TRUE(has(problems_of(flow({}, {})), "", "flow has no nodes"));
}

TEST(flow_compiler, non_source_needs_an_incoming_edge) {
  auto problems = problems_of(flow({node("in", "source"), node("lonely", "sink"),
                                    node("out", "sink")},
                                   {edge("in", "out")}));
  EXPECT_TRUE(has(problems, "lonely", "no incoming edge")) << dump(problems);
  EXPECT_EQ(problems.size(), 1u) << dump(problems);
  auto into_source = problems_of(flow({node("in", "source"), node("in2", "source")},
                                      {edge("in", "in2")}));
  EXPECT_TRUE(has(into_source, "in2", "source cannot have incoming edges"))
    << dump(into_source);
}

TEST(flow_compiler, router_routes_and_edges_must_match) {
  auto problems = problems_of(flow(
    {node("in", "source"),
     node("r", "router",
          R"({"routes":[{"name":"a","when":"true"},{"name":"b","when":"false"}],
              "default":"other"})"),
     node("x", "sink"), node("y", "sink"), node("z", "sink")},
    {edge("in", "r"), edge("r", "x", "a"), edge("r", "y", "typo"), edge("r", "z")}));
  EXPECT_TRUE(has(problems, "r", "route 'b' has no edge")) << dump(problems);
  EXPECT_TRUE(has(problems, "r", "route 'other' has no edge")) << dump(problems);
  EXPECT_TRUE(has(problems, "r", "edge 'r->y' leaves the router by no known route ('typo')"))
    << dump(problems);
  EXPECT_TRUE(has(problems, "r", "edge 'r->z' leaves the router by no known route"))
    << dump(problems);
  EXPECT_FALSE(has(problems, "r", "route 'a'")) << dump(problems);
  EXPECT_EQ(problems.size(), 4u) << dump(problems);
}

TEST(flow_compiler, router_needs_routes) {
  auto problems = problems_of(flow(
    {node("in", "source"), node("r", "router"), node("r2", "router", R"({"routes":[{}]})")},
    {edge("in", "r"), edge("in", "r2")}));
  EXPECT_TRUE(has(problems, "r", "router needs data.routes, data.default or data.classifier")) << dump(problems);
  EXPECT_TRUE(has(problems, "r2", "every route needs a name")) << dump(problems);
}

TEST(flow_compiler, jq_that_does_not_compile_is_reported_where_it_is) {
  auto problems = problems_of(flow(
    {node("in", "source"),
     node("code", "function-block", R"({"code":"}"})"),
     node("mapping", "sink", R"({"inputMapping":".a | | .b"})"),
     node("r", "router", R"({"routes":[{"name":"x","when":"if"}]})"),
     node("over", "loop", R"({"over":"[","body":{"type":"function-block","code":"."}})"),
     node("body", "loop", R"j({"over":".","body":{"type":"function-block","code":"foo(1)"}})j"),
     node("out", "sink")},
    {edge("in", "code"), edge("in", "mapping"), edge("in", "r"), edge("r", "out", "x"),
     edge("in", "over"), edge("in", "body")}));
  EXPECT_TRUE(has(problems, "code", "data.code: jq:")) << dump(problems);
  EXPECT_TRUE(has(problems, "mapping", "data.inputMapping: jq:")) << dump(problems);
  EXPECT_TRUE(has(problems, "r", "data.when: jq:")) << dump(problems);
  EXPECT_TRUE(has(problems, "over", "data.over: jq:")) << dump(problems);
  EXPECT_TRUE(has(problems, "body", "data.code: jq: foo/1 is not defined")) << dump(problems);
  EXPECT_EQ(problems.size(), 5u) << dump(problems);
}

TEST(flow_compiler, missing_or_wrong_kind_programs) {
  auto problems = problems_of(flow(
    {node("in", "source"), node("f", "function-block"),
     node("g", "function-block", R"({"code":42})"), node("l", "loop", R"({"body":{}})")},
    {edge("in", "f"), edge("in", "g"), edge("in", "l")}));
  EXPECT_TRUE(has(problems, "f", "function-block needs data.code")) << dump(problems);
  EXPECT_TRUE(has(problems, "g", "must be a jq program")) << dump(problems);
  EXPECT_TRUE(has(problems, "l", "loop needs data.over")) << dump(problems);
}

TEST(flow_compiler, loop_body_must_be_a_function_block_or_an_ai_block) {
  auto problems = problems_of(flow(
    {node("in", "source"),
     node("ai", "loop", R"({"over":".","body":{"type":"ai-block","model":"m"}})"),
     node("router", "loop", R"({"over":".","body":{"type":"router"}})"),
     node("none", "loop", R"({"over":"."})"),
     node("text", "loop", R"j({"over":".","body":"map(.)"})j")},
    {edge("in", "ai"), edge("in", "router"), edge("in", "none"), edge("in", "text")}));
  EXPECT_TRUE(has(problems, "ai", "data.body: ai-block needs data.connectionId")) << dump(problems);
  EXPECT_TRUE(has(problems, "router", "loop body must be a function-block or an ai-block"))
    << dump(problems);
  EXPECT_TRUE(has(problems, "none", "loop needs data.body")) << dump(problems);
  EXPECT_TRUE(has(problems, "text", "loop needs data.body")) << dump(problems);
}

TEST(flow_compiler, bad_settings) {
  auto problems = problems_of(flow(
    {node("in", "source"),
     node("neg", "function-block", R"({"code":".","retry":{"maxRetries":-1}})"),
     node("str", "function-block", R"({"code":".","retry":"often"})"),
     node("mul", "function-block", R"({"code":".","retry":{"multiplier":0.5}})"),
     node("body", "loop",
          R"({"over":".","body":{"type":"function-block","code":".","retry":{"maxDelayMs":"x"}}})"),
     node("wait", "delay", R"({"ms":-5})"),
     node("conc", "loop",
          R"({"over":".","concurrency":0,"maxIterations":-1,
              "body":{"type":"function-block","code":"."}})"),
     node("merge", "sink", R"({"merge":"zip"})"),
     node("data", "sink", R"("text")")},
    {edge("in", "neg"), edge("in", "str"), edge("in", "mul"), edge("in", "body"),
     edge("in", "wait"), edge("in", "conc"), edge("in", "merge"), edge("in", "data")}));
  EXPECT_TRUE(has(problems, "neg", "retry.maxRetries must be an integer from 0 to 100"))
    << dump(problems);
  EXPECT_TRUE(has(problems, "str", "retry must be an object")) << dump(problems);
  EXPECT_TRUE(has(problems, "mul", "retry.multiplier")) << dump(problems);
  EXPECT_TRUE(has(problems, "body", "body.retry.maxDelayMs")) << dump(problems);
  EXPECT_TRUE(has(problems, "wait", "data.ms must be an integer from 0")) << dump(problems);
  EXPECT_TRUE(has(problems, "conc", "data.concurrency")) << dump(problems);
  EXPECT_TRUE(has(problems, "conc", "data.maxIterations")) << dump(problems);
  EXPECT_TRUE(has(problems, "merge", "data.merge")) << dump(problems);
  EXPECT_TRUE(has(problems, "data", "data must be an object")) << dump(problems);
}

// Counts and milliseconds are whole numbers: a fraction is named as a
// problem, neither rounded nor thrown.
TEST(flow_compiler, a_fraction_where_a_whole_number_belongs_is_a_problem) {
  auto problems = problems_of(flow(
    {node("in", "source"), node("wait", "delay", R"({"ms":2.5})"),
     node("each", "loop",
          R"({"over":".","concurrency":1.5,"maxIterations":7.25,
              "body":{"type":"function-block","code":".","timeoutMs":10.5}})"),
     node("f", "function-block", R"({"code":".","timeoutMs":99.9})")},
    {edge("in", "wait"), edge("in", "each"), edge("in", "f")}));
  EXPECT_TRUE(has(problems, "wait", "data.ms must be an integer from 0 to 604800000"))
    << dump(problems);
  EXPECT_TRUE(has(problems, "each", "data.concurrency must be an integer from 1 to 1000"))
    << dump(problems);
  EXPECT_TRUE(has(problems, "each", "data.maxIterations must be an integer from 0 to 1000000"))
    << dump(problems);
  EXPECT_TRUE(has(problems, "each", "data.body.timeoutMs must be an integer")) << dump(problems);
  EXPECT_TRUE(has(problems, "f", "data.timeoutMs must be an integer from 1 to 3600000"))
    << dump(problems);
  EXPECT_EQ(problems.size(), 5u) << dump(problems);
}

TEST(flow_compiler, missing_blocks_and_connections) {
  auto problems = problems_of(flow(
    {node("in", "source"), node("f", "function-block", R"({"blockId":"b-1"})"),
     node("ai", "ai-block", R"({"connectionId":"c-1"})"), node("ai2", "ai-block")},
    {edge("in", "f"), edge("in", "ai"), edge("in", "ai2")}));
  EXPECT_TRUE(has(problems, "f", "b-1")) << dump(problems);
  EXPECT_TRUE(has(problems, "f", "not found")) << dump(problems);
  EXPECT_TRUE(has(problems, "ai", "connection 'c-1' not found")) << dump(problems);
  EXPECT_TRUE(has(problems, "ai2", "needs data.connectionId")) << dump(problems);
}

TEST(flow_compiler, malformed_flow_json) {
  EXPECT_TRUE(has(problems_of(json::value("flow")), "", "must be a JSON object"));
  EXPECT_TRUE(has(problems_of(json::object{{"nodes", 3}}), "", "nodes array"));
  EXPECT_TRUE(has(problems_of(json::object{{"nodes", json::array{json::object{}}}}), "",
                  "node #1 has no id"));
  auto bad_edges = json::object{{"nodes", json::array{node("in", "source")}}, {"edges", 1}};
  EXPECT_TRUE(has(problems_of(bad_edges), "", "edges must be an array"));
}

std::string read_text(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

TEST(flow_compiler, shared_conformance_invalid_cases) {
  int invalid = 0;
  for (const auto& entry : std::filesystem::directory_iterator(BALEY_CONFORMANCE_DIR)) {
    if (entry.path().extension() != ".json")
      continue;
    auto doc = json::parse(read_text(entry.path())).as_object();
    jq_cache programs;
    auto outcome = compile_flow(doc.at("flow"), programs);
    SCOPED_TRACE(entry.path().filename().string() + dump(outcome.problems));
    if (auto* expect = doc.if_contains("invalid")) {
      ++invalid;
      EXPECT_FALSE(outcome.flow);
      for (const auto& id : expect->at("nodeIds").as_array())
        EXPECT_TRUE(names(outcome.problems, id.as_string())) << id;
    } else {
      EXPECT_TRUE(outcome.flow);
    }
  }
  EXPECT_GE(invalid, 2);
}

TEST(flow_compiler, invalid_flow_body_shape) {
  auto body = invalid_flow_body({{"x", "unknown node type \"teleport\""},
                                 {"", "flow has no source node"}});
  EXPECT_EQ(body.at("code"), "invalid_flow");
  EXPECT_EQ(body.at("error"), "the flow is invalid: 2 problems");
  const auto& errors = body.at("errors").as_array();
  ASSERT_EQ(errors.size(), 2u);
  EXPECT_EQ(errors[0], (json::object{{"nodeId", "x"},
                                     {"message", "unknown node type \"teleport\""}}));
  EXPECT_TRUE(errors[1].at("nodeId").is_null());
  EXPECT_EQ(invalid_flow_body({{"a", "m"}}).at("error"), "the flow is invalid: 1 problem");
}

TEST(flow_compiler, node_kind_names_round_trip) {
  for (auto name : {"source", "sink", "function-block", "router", "parallel", "loop",
                    "delay", "ai-block"}) {
    auto kind = node_kind_from_name(name);
    ASSERT_TRUE(kind) << name;
    EXPECT_EQ(node_kind_name(*kind), name);
  }
  EXPECT_FALSE(node_kind_from_name("Source"));
}

} // namespace
} // namespace baley::runtime
