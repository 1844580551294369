// `baley admin rebuild` (issue 9): every projection dropped and written again
// from the global log comes back byte for byte, and the API answers the same
// afterwards; it refuses a data dir a server holds.
#include "api_client.hpp"
#include "process.hpp"
#include "server_process.hpp"

#include <gtest/gtest.h>

namespace baley::testing {
namespace {
namespace json = boost::json;

json::object rebuild(const std::string& dir) {
  auto r = run_process(baley({"admin", "rebuild", "--data", dir}));
  EXPECT_EQ(r.exit_code, 0) << r.err;
  auto line = r.out.substr(0, r.out.find('\n'));
  boost::system::error_code ec;
  auto parsed = json::parse(line, ec);
  EXPECT_FALSE(ec) << r.out;
  return parsed.is_object() ? parsed.as_object() : json::object();
}

// Everything the projections answer, with explicit ranges (no "now").
std::vector<std::string> answers(const api_client& api, const std::string& block,
                                 const std::string& ai_block, const std::string& flow,
                                 const std::vector<std::string>& decisions) {
  const std::string range = "from=2020-01-01T00:00:00.000Z&to=2100-01-01T00:00:00.000Z";
  std::vector<std::string> paths = {
    "/api/decisions?limit=500", "/api/executions?limit=500", "/api/executions?kind=test",
    "/api/analytics/blocks/" + ai_block + "?bucket=hour&" + range,
    "/api/analytics/blocks/" + ai_block + "?bucket=day&" + range,
    "/api/analytics/cost?groupBy=block&" + range, "/api/analytics/cost?groupBy=model&" + range,
    "/api/analytics/cost?groupBy=flow&" + range, "/api/analytics/failures?" + range,
    "/api/blocks/" + block + "/tests", "/api/blocks/" + ai_block + "/tests",
    "/api/flows/" + flow + "/webhook/logs", "/api/patterns"};
  for (const auto& id : decisions)
    paths.push_back("/api/decisions/" + id);
  for (const auto& p : api.list_all("/api/patterns"))
    paths.push_back("/api/patterns/" + string_at(p, "id") + "/matches?limit=500");
  std::vector<std::string> out;
  for (const auto& path : paths) {
    auto r = api.get(path);
    EXPECT_EQ(r.status, 200) << path << " " << r.body;
    out.push_back(path + " " + r.body);
  }
  return out;
}

TEST(rebuild, every_projection_comes_back_byte_for_byte_and_the_api_answers_the_same) {
  temp_dir prices;
  write_file(prices.path + "/prices.json", R"({"models":{"sim-1":{"input":3,"output":7}}})");
  server_process server({"--durability", "buffered", "--prices", prices.path + "/prices.json"});
  ASSERT_TRUE(server.start()) << server.diagnostics();
  auto api = server.admin();
  auto connection = api.create_simulated_connection("sim", 0);
  auto tool = api.post("/api/blocks", R"({"name":"len","type":"function-block","config":{
    "code":"{n: (.q | length)}","inputSchema":{"type":"object"}}})");
  auto block = string_at(tool.json(), "id");
  auto ai = api.post("/api/blocks", R"({"name":"ask","type":"ai-block","config":{"connectionId":")"
                                      + connection + R"(","model":"sim-1","tools":[{"name":"len",
    "parameters":{"type":"object"},"blockId":")" + block + R"("}]}})");
  ASSERT_EQ(ai.status, 201) << ai.body;
  auto ai_block = string_at(ai.json(), "id");
  auto flow = api.create_flow(R"({"name":"mixed","nodes":[{"id":"in","type":"source"},
    {"id":"ask","type":"ai-block","data":{"blockId":")" + ai_block + R"("}},
    {"id":"judge","type":"ai-block","data":{"connectionId":")" + connection + R"(","model":"sim-1"}},
    {"id":"check","type":"function-block","data":{"code":"if .ask == null then error(\"no answer 7\") else . end"}},
    {"id":"out","type":"sink"}],"edges":[{"source":"in","target":"ask"},{"source":"in","target":"judge"},
    {"source":"ask","target":"check"},{"source":"judge","target":"check"},{"source":"check","target":"out"}]})");
  ASSERT_FALSE(flow.empty());
  auto pattern_body = [&](const std::string& condition) {
    return R"({"name":"p","blockId":")" + ai_block + R"(","condition":)"
           + json::serialize(json::value(condition)) + R"(,"outcome":null})";
  };
  auto pattern = api.post("/api/patterns", pattern_body(R"((.q // "") | endswith("1"))"));
  ASSERT_EQ(pattern.status, 201) << pattern.body;
  auto failing = api.create_flow(R"J({"name":"failing","nodes":[{"id":"in","type":"source"},
    {"id":"f","type":"function-block","data":{"code":"error(\"attempt \\(.n) of 3\")"}}],
    "edges":[{"source":"in","target":"f"}]})J");
  for (int i = 0; i < 3; ++i) {
    api.wait_terminal(api.start(flow, R"({"q":"hello )" + std::to_string(i) + "\"}"));
    api.wait_terminal(api.start(failing, R"({"n":)" + std::to_string(i) + "}"));
  }
  api.post("/api/flows/" + flow + "/execute", R"({"input":{"q":"keyed"}})",
           {{"Idempotency-Key", "key-1"}});
  EXPECT_EQ(api.post("/api/blocks/" + block + "/test?wait=10", R"({"input":{"q":"abc"}})").status, 200);
  EXPECT_EQ(api.post("/api/blocks/" + ai_block + "/test?wait=10", R"({"input":{"q":"x"}})").status, 200);
  auto hook = api.post("/api/flows/" + flow + "/webhook", std::nullopt);
  ASSERT_EQ(hook.status, 201) << hook.body;
  api.post("/api/webhooks/" + flow + "/" + string_at(hook.json(), "secret"), R"({"q":"hook"})");
  api.post("/api/webhooks/" + flow + "/wrong-secret", "{}");
  api.post("/api/feedback/categories", R"({"name":"mine"})");
  auto decisions = api.list_all("/api/decisions");
  ASSERT_GE(decisions.size(), 6u);
  std::vector<std::string> ids;
  for (const auto& d : decisions)
    ids.push_back(string_at(d, "id"));
  api.post("/api/decisions/" + ids[0] + "/feedback", R"({"correct":true})");
  api.post("/api/decisions/" + ids[0] + "/feedback", R"({"correct":false,"category":"mine"})");
  api.post("/api/decisions/" + ids[1] + "/feedback", R"({"correct":false,"category":"tone","notes":"n"})");
  for (const auto& e : api.list_all("/api/executions"))
    api.wait_terminal(string_at(e, "id"));
  // A second version scans every decision; another pattern comes and goes.
  auto updated = api.put("/api/patterns/" + string_at(pattern.json(), "id"),
                         pattern_body(R"(.q | test("hello|keyed|hook"))"));
  ASSERT_EQ(updated.status, 200) << updated.body;
  EXPECT_GE(updated.json().at("stats").at("matched").as_int64(), 4) << updated.body;
  auto gone = api.post("/api/patterns", pattern_body("true"));
  ASSERT_EQ(gone.status, 201) << gone.body;
  ASSERT_EQ(api.del("/api/patterns/" + string_at(gone.json(), "id")).status, 204);

  auto before = answers(api, block, ai_block, flow, ids);
  auto executions = api.list_all("/api/executions").size();
  ASSERT_EQ(server.stop(), 0);

  auto report = rebuild(server.data_dir());
  EXPECT_EQ(report.at("identical"), true) << report;
  for (const auto& [family, d] : report.at("families").as_object())
    EXPECT_EQ(d.at("identical"), true) << family << ": " << d;
  for (const auto* family : {"decisions", "block_buckets", "cost_buckets", "failure_buckets",
                             "node_failures", "test_runs", "executions", "idempotency",
                             "webhook_logs", "pattern_matches", "pattern_stats"})
    EXPECT_GT(report.at("families").at(family).at("rowsAfter").as_int64(), 0) << family;
  EXPECT_GT(report.at("events").as_int64(), 0);
  EXPECT_EQ(rebuild(server.data_dir()).at("identical"), true) << "a second rebuild too";

  ASSERT_TRUE(server.start()) << server.diagnostics();
  EXPECT_EQ(answers(server.admin(), block, ai_block, flow, ids), before);
  // The Idempotency-Key still names its execution.
  auto again = server.admin().post("/api/flows/" + flow + "/execute", R"({"input":{}})",
                                   {{"Idempotency-Key", "key-1"}});
  EXPECT_EQ(again.status, 202);
  EXPECT_EQ(server.admin().list_all("/api/executions").size(), executions) << "no new execution";
}

TEST(rebuild, a_data_dir_held_by_a_server_is_refused_and_usage_is_checked) {
  server_process server({"--durability", "buffered"});
  ASSERT_TRUE(server.start()) << server.diagnostics();
  auto held = run_process(baley({"admin", "rebuild", "--data", server.data_dir()}));
  EXPECT_NE(held.exit_code, 0);
  EXPECT_NE(held.err.find("data_dir_locked"), std::string::npos) << held.err;
  EXPECT_EQ(run_process(baley({"admin", "rebuild"})).exit_code, 2);
  EXPECT_EQ(run_process(baley({"admin", "explode", "--data", server.data_dir()})).exit_code, 2);
  temp_dir empty;
  auto missing = run_process(baley({"admin", "rebuild", "--data", empty.path + "/none"}));
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_NE(missing.err.find("no data directory"), std::string::npos) << missing.err;
}

} // namespace
} // namespace baley::testing
