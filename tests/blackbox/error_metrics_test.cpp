// Error aggregation and debug mode from outside (issue 9, API.md "/metrics"
// and "Debug"): final node errors by flow, node and code and AI usage by
// provider and model on /metrics; `serve --debug` adds {"detail",
// "stackTrace"} to a failed node's error, and without it nothing internal
// shows.
#include "api_client.hpp"
#include "server_process.hpp"

#include <gtest/gtest.h>

namespace baley::testing {
namespace {
namespace json = boost::json;

const std::string failing_flow = R"J({"name":"boom","nodes":[{"id":"in","type":"source"},
  {"id":"bad","type":"function-block","data":{"code":"error(\"boom\")"}},{"id":"out","type":"sink"}],
  "edges":[{"source":"in","target":"bad"},{"source":"bad","target":"out"}]})J";

// The value of the series whose line starts with `series` ("name{labels}").
std::optional<double> metric(const std::string& page, const std::string& series) {
  auto at = page.find("\n" + series + " ");
  if (at == std::string::npos)
    return std::nullopt;
  return std::stod(page.substr(at + series.size() + 2));
}

json::object node_error_event(const api_client& api, const std::string& id) {
  for (const auto& e : api.replay(id))
    if (e.at("event").at("type") == "node_error")
      return e.at("event").as_object();
  ADD_FAILURE() << "no node_error";
  return {};
}

TEST(error_metrics, failed_nodes_and_ai_usage_are_counted_by_their_labels) {
  server_process server({"--durability", "buffered"});
  ASSERT_TRUE(server.start()) << server.diagnostics();
  auto api = server.admin();
  auto flow = api.create_flow(failing_flow);
  for (int i = 0; i < 2; ++i)
    EXPECT_EQ(string_at(api.wait_terminal(api.start(flow)), "status"), "failed");
  auto code = string_at(node_error_event(api, string_at(api.list_all("/api/executions")[0], "id")),
                        "code");
  ASSERT_FALSE(code.empty());

  auto connection = api.create_simulated_connection("sim", 0);
  auto ai = api.create_flow(R"({"name":"ai","nodes":[{"id":"in","type":"source"},
    {"id":"ask","type":"ai-block","data":{"connectionId":")" + connection + R"(","model":"sim-1"}},
    {"id":"out","type":"sink"}],"edges":[{"source":"in","target":"ask"},{"source":"ask","target":"out"}]})");
  std::int64_t in = 0, out = 0;
  for (int i = 0; i < 3; ++i) {
    auto done = api.wait_terminal(api.start(ai, R"({"n":)" + std::to_string(i) + "}"));
    ASSERT_EQ(string_at(done, "status"), "completed") << done;
    for (const auto& n : done.at("nodes").as_array())
      if (n.at("nodeId") == "ask") {
        in += n.at("tokens").at("input").as_int64();
        out += n.at("tokens").at("output").as_int64();
      }
  }

  auto page = api.get("/metrics").body;
  EXPECT_EQ(metric(page, "baley_node_errors_total{flow=\"" + flow + "\",node=\"bad\",code=\"" + code
                           + "\"}"), 2.0) << page;
  const std::string labels = "provider=\"simulated\",model=\"sim-1\"";
  EXPECT_EQ(metric(page, "baley_ai_calls_total{" + labels + ",outcome=\"ok\"}"), 3.0) << page;
  EXPECT_EQ(metric(page, "baley_ai_calls_total{" + labels + ",outcome=\"error\"}"), 0.0);
  EXPECT_EQ(metric(page, "baley_ai_tokens_total{" + labels + ",direction=\"input\"}"),
            static_cast<double>(in));
  EXPECT_EQ(metric(page, "baley_ai_tokens_total{" + labels + ",direction=\"output\"}"),
            static_cast<double>(out));
  EXPECT_TRUE(metric(page, "baley_ai_cost_usd_total{" + labels + "}").has_value());
  for (const auto* help : {"# TYPE baley_node_errors_total counter", "# TYPE baley_ai_calls_total counter",
                           "# TYPE baley_ai_tokens_total counter", "# TYPE baley_ai_cost_usd_total counter"})
    EXPECT_NE(page.find(help), std::string::npos) << help;
}

TEST(error_metrics, debug_mode_adds_detail_and_stack_trace_to_a_failed_node_and_only_then) {
  for (bool debug : {false, true}) {
    SCOPED_TRACE(debug ? "--debug" : "without --debug");
    std::vector<std::string> args{"--durability", "buffered"};
    if (debug)
      args.push_back("--debug");
    server_process server(args);
    ASSERT_TRUE(server.start()) << server.diagnostics();
    auto api = server.admin();
    auto id = api.start(api.create_flow(failing_flow));
    auto done = api.wait_terminal(id);
    ASSERT_EQ(string_at(done, "status"), "failed");
    auto event = node_error_event(api, id);
    const json::value* node = nullptr;
    for (const auto& n : done.at("nodes").as_array())
      if (n.at("nodeId") == "bad")
        node = &n;
    ASSERT_NE(node, nullptr);
    if (!debug) {
      EXPECT_FALSE(event.contains("debug")) << event;
      EXPECT_FALSE(node->as_object().contains("debug")) << *node;
      EXPECT_EQ(json::serialize(done).find("stackTrace"), std::string::npos);
      continue;
    }
    ASSERT_TRUE(event.contains("debug")) << event;
    EXPECT_NE(string_at(event.at("debug"), "detail").find("boom"), std::string::npos);
    EXPECT_FALSE(string_at(event.at("debug"), "stackTrace").empty());
    ASSERT_TRUE(node->as_object().contains("debug")) << *node;
    EXPECT_EQ(node->at("debug"), event.at("debug"));
  }
}

} // namespace
} // namespace baley::testing
