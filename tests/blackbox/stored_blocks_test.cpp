// Stored blocks used by flows (DESIGN.md "Blocks"): a node names a block with
// data.blockId, runs its latest version, and the execution records the
// version it ran, which is also what a restart resumes with.
#include "api_client.hpp"
#include "server_process.hpp"

#include <gtest/gtest.h>

namespace baley::testing {
namespace {
namespace json = boost::json;

std::string create_block(const api_client& api, const std::string& code) {
  auto r = api.post("/api/blocks", R"({"name":"times","type":"function-block","config":{"code":")"
                                     + code + R"("}})");
  EXPECT_EQ(r.status, 201) << r.body;
  return string_at(r.json(), "id");
}

std::string flow_using(const std::string& block_id, int delay_ms) {
  return R"({"name":"uses-block","nodes":[{"id":"in","type":"source"},
    {"id":"wait","type":"delay","data":{"ms":)" + std::to_string(delay_ms) + R"(}},
    {"id":"calc","type":"function-block","data":{"blockId":")" + block_id + R"("}},
    {"id":"each","type":"loop","data":{"over":"[., .]","body":{"blockId":")" + block_id + R"("}}},
    {"id":"out","type":"sink"}],
    "edges":[{"source":"in","target":"wait"},{"source":"wait","target":"calc"},
             {"source":"calc","target":"each"},{"source":"each","target":"out"}]})";
}

TEST(stored_blocks, a_flow_runs_the_latest_block_version_and_records_it) {
  server_process server;
  ASSERT_TRUE(server.start()) << server.diagnostics();
  auto api = server.admin();
  auto block = create_block(api, "{n: (.n * 10)}");
  auto flow = api.create_flow(flow_using(block, 0));
  ASSERT_FALSE(flow.empty());

  auto first = api.wait_terminal(api.start(flow, R"({"n":2})"));
  EXPECT_EQ(string_at(first, "status"), "completed") << first;
  EXPECT_EQ(first.at("output"), json::parse(R"([{"n":200},{"n":200}])")) << first;

  auto updated = api.put("/api/blocks/" + block,
                         R"({"name":"times","type":"function-block","config":{"code":"{n: (.n * 3)}"}})");
  ASSERT_EQ(updated.status, 200) << updated.body;
  auto second_id = api.start(flow, R"({"n":2})");
  auto second = api.wait_terminal(second_id);
  EXPECT_EQ(second.at("output"), json::parse(R"([{"n":18},{"n":18}])")) << second;

  auto events = api.replay(second_id);
  ASSERT_FALSE(events.empty());
  const auto& start = events.front().at("event");
  EXPECT_EQ(start.at("blockVersions").at(block), 2) << start;
}

TEST(stored_blocks, a_missing_or_mistyped_block_makes_the_flow_invalid) {
  server_process server;
  ASSERT_TRUE(server.start()) << server.diagnostics();
  auto api = server.admin();
  auto missing = api.post("/api/flows", flow_using("01a22222-0000-7000-8000-000000000000", 0));
  EXPECT_EQ(missing.status, 400) << missing.body;
  EXPECT_NE(missing.body.find("calc"), std::string::npos) << missing.body;

  auto ai = api.post("/api/blocks", R"({"name":"x","type":"ai-block","config":{"model":"m"}})");
  ASSERT_EQ(ai.status, 201) << ai.body;
  auto mistyped = api.post("/api/flows", flow_using(string_at(ai.json(), "id"), 0));
  EXPECT_EQ(mistyped.status, 400) << mistyped.body;
  EXPECT_EQ(string_at(mistyped.json(), "code"), "invalid_flow");
}

TEST(stored_blocks, a_restart_resumes_with_the_recorded_block_version) {
  server_process server;
  ASSERT_TRUE(server.start()) << server.diagnostics();
  auto api = server.admin();
  auto block = create_block(api, "{n: (.n + 1)}");
  auto flow = api.create_flow(flow_using(block, 1500));
  auto id = api.start(flow, R"({"n":1})");
  ASSERT_TRUE(api.wait_node_running(id, "wait"));
  // A newer block version lands while the execution waits, then the server dies.
  auto updated = api.put("/api/blocks/" + block,
                         R"({"name":"times","type":"function-block","config":{"code":"{n: (.n - 100)}"}})");
  ASSERT_EQ(updated.status, 200) << updated.body;
  server.kill();
  ASSERT_TRUE(server.start()) << server.diagnostics();
  auto done = server.admin().wait_terminal(id);
  EXPECT_EQ(string_at(done, "status"), "completed") << done;
  EXPECT_EQ(done.at("output"), json::parse(R"([{"n":3},{"n":3}])")) << "version 1 ran: " << done;
}

} // namespace
} // namespace baley::testing
