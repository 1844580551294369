// Tests for runtime/block_resolution: stored blocks inlined into flow nodes and
// loop bodies, the versions used, type mismatches, and the compiled-flow key.
#include "runtime/flow/block_resolution.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>

namespace baley::runtime {
namespace {
namespace json = boost::json;

block_lookup blocks() {
  return [](const std::string& id) -> std::optional<stored_block> {
    if (id == "fn")
      return stored_block{3, json::parse(R"({"name":"f","type":"function-block",
                                            "config":{"code":". * 2","retry":{"maxRetries":1}}})")};
    if (id == "ai")
      return stored_block{1, json::parse(R"({"name":"a","type":"ai-block","config":{"model":"m"}})")};
    return std::nullopt;
  };
}

TEST(block_resolution, a_node_runs_the_block_config_and_its_own_keys_win) {
  auto flow = json::parse(R"({"nodes":[{"id":"n","type":"function-block",
    "data":{"blockId":"fn","retry":{"maxRetries":4},"label":"Double"}}]})");
  auto r = resolve_blocks(flow, blocks());
  EXPECT_TRUE(r.problems.empty());
  const auto& data = r.flow.at("nodes").at(0).at("data");
  EXPECT_EQ(data.at("code"), ". * 2");
  EXPECT_EQ(data.at("retry").at("maxRetries"), 4);
  EXPECT_EQ(data.at("label"), "Double");
  EXPECT_EQ(data.at("blockVersion"), 3);
  EXPECT_EQ(r.versions, (std::map<std::string, std::uint64_t>{{"fn", 3}}));
}

TEST(block_resolution, a_loop_body_names_a_block) {
  auto flow = json::parse(R"({"nodes":[{"id":"l","type":"loop",
    "data":{"over":".","body":{"blockId":"fn"}}}]})");
  auto r = resolve_blocks(flow, blocks());
  const auto& body = r.flow.at("nodes").at(0).at("data").at("body");
  EXPECT_EQ(body.at("type"), "function-block");
  EXPECT_EQ(body.at("code"), ". * 2");
  EXPECT_EQ(r.versions.at("fn"), 3u);
  EXPECT_EQ(block_ids_in(flow), (std::vector<std::string>{"fn"}));
}

TEST(block_resolution, unknown_blocks_stay_for_the_compiler_and_wrong_types_are_problems) {
  auto flow = json::parse(R"({"nodes":[
    {"id":"a","type":"function-block","data":{"blockId":"ghost"}},
    {"id":"b","type":"function-block","data":{"blockId":"ai"}}]})");
  auto r = resolve_blocks(flow, blocks());
  EXPECT_EQ(r.flow.at("nodes").at(0), flow.at("nodes").at(0));
  ASSERT_EQ(r.problems.size(), 1u);
  EXPECT_EQ(r.problems[0].node_id, "b");
  EXPECT_TRUE(r.versions.empty());
}

TEST(block_resolution, the_compiled_flow_key_names_flow_version_and_blocks) {
  EXPECT_EQ(compiled_flow_key("f", 2, {}), "f@2");
  EXPECT_EQ(compiled_flow_key("f", 2, {{"b", 1}, {"a", 7}}), "f@2#a@7,b@1");
}

} // namespace
} // namespace baley::runtime
