// Tests of the GET /api/executions/{id} body built from a folded state: every
// field of API.md, a record per flow node (pending when not run), nulls.
#include "http/execution_view.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <string>

namespace baley::http {
namespace {

namespace json = boost::json;
using namespace runtime;

constexpr unix_ms t0 = 1'700'000'000'000;  // 2023-11-14T22:13:20.000Z

compiled_flow three_nodes() {
  compiled_flow flow;
  flow.nodes.push_back(compiled_node{.id = "in", .settings = source_settings{}});
  flow.nodes.push_back(compiled_node{.id = "f", .settings = function_settings{}});
  flow.nodes.push_back(compiled_node{.id = "out", .settings = sink_settings{}});
  return flow;
}

task_record task(node_status status, std::uint32_t attempts, unix_ms started, unix_ms completed) {
  task_record t;
  t.status = status;
  t.attempts = attempts;
  t.started_at = started;
  t.completed_at = completed;
  t.duration_ms = completed ? completed - started : 0;
  return t;
}

execution_state completed_state() {
  execution_state s;
  s.status = execution_status::completed;
  s.next_index = stream_index{7};
  s.input = json::parse(R"({"x":1})");
  s.output = json::parse(R"({"y":2})");
  s.flow_id = "flow-1";
  s.flow_version = 2;
  s.triggered_by = "api";
  s.trigger = trigger{.kind = trigger_kind::api, .token_id = "tok-1"};
  s.started_at = t0;
  s.completed_at = t0 + 1500;
  auto& in = s.nodes["in"];
  in.task = task(node_status::completed, 1, t0 + 10, t0 + 20);
  in.task.block_execution_id = "be-in";
  in.task.input = json::parse(R"({"x":1})");
  in.task.output = json::parse(R"({"x":1})");
  auto& f = s.nodes["f"];
  f.task = task(node_status::completed, 2, t0 + 30, t0 + 1030);
  f.task.block_execution_id = "be-f";
  f.task.output = 3;
  // An attempt failed before the one that completed: no error is shown.
  f.task.error = "first attempt timed out";
  f.task.error_code = "timeout";
  f.tokens_input = 5;
  f.tokens_output = 7;
  f.cost = 0.25;
  return s;
}

TEST(execution_view, a_completed_execution_has_every_field_and_a_pending_record_per_unrun_node) {
  auto flow = three_nodes();
  auto view = execution_view("exec-1", completed_state(), &flow, t0 + 99'999);
  EXPECT_EQ(json::value(view), json::parse(R"({
    "id": "exec-1", "flowId": "flow-1", "flowVersion": 2, "status": "completed",
    "input": {"x": 1}, "output": {"y": 2}, "error": null, "errorCode": null,
    "triggeredBy": "api", "trigger": {"type": "api", "tokenId": "tok-1"},
    "startedAt": "2023-11-14T22:13:20.000Z", "completedAt": "2023-11-14T22:13:21.500Z",
    "metrics": {"totalDurationMs": 1500, "totalTokens": 12, "totalCost": 0.25},
    "nodes": [
      {"nodeId": "in", "type": "source", "blockExecutionId": "be-in", "status": "completed",
       "attempts": 1, "startedAt": "2023-11-14T22:13:20.010Z",
       "completedAt": "2023-11-14T22:13:20.020Z", "durationMs": 10,
       "input": {"x": 1}, "output": {"x": 1}, "error": null, "errorCode": null},
      {"nodeId": "f", "type": "function-block", "blockExecutionId": "be-f",
       "status": "completed", "attempts": 2, "startedAt": "2023-11-14T22:13:20.030Z",
       "completedAt": "2023-11-14T22:13:21.030Z", "durationMs": 1000, "input": null,
       "output": 3, "error": null, "errorCode": null, "tokens": {"input": 5, "output": 7}},
      {"nodeId": "out", "type": "sink", "blockExecutionId": null, "status": "pending",
       "attempts": 0, "startedAt": null, "completedAt": null, "durationMs": null,
       "input": null, "output": null, "error": null, "errorCode": null}
    ],
    "eventCount": 7})"));
}

TEST(execution_view, a_failed_execution_names_its_error_node_and_code) {
  auto s = completed_state();
  s.status = execution_status::failed;
  s.output = nullptr;
  s.error = "node f failed: boom";
  s.error_node_id = "f";
  s.error_code = "jq_error";
  s.nodes["f"].task.status = node_status::failed;
  s.nodes["f"].task.error = "boom";
  s.nodes["f"].task.error_code = "jq_error";
  auto flow = three_nodes();
  auto view = execution_view("exec-1", s, &flow, t0);
  EXPECT_EQ(view.at("status"), "failed");
  EXPECT_EQ(view.at("error"), "node f failed: boom");
  EXPECT_EQ(view.at("errorNodeId"), "f");
  EXPECT_EQ(view.at("errorCode"), "jq_error");
  const auto& f = view.at("nodes").as_array().at(1).as_object();
  EXPECT_EQ(f.at("status"), "failed");
  EXPECT_EQ(f.at("error"), "boom");
  EXPECT_EQ(f.at("errorCode"), "jq_error");
  EXPECT_EQ(f.at("completedAt"), "2023-11-14T22:13:21.030Z");
  EXPECT_EQ(f.at("durationMs"), 1000);
  // A node error without a code has a null errorCode.
  s.nodes["f"].task.error_code.clear();
  EXPECT_TRUE(execution_view("exec-1", s, &flow, t0)
                .at("nodes").as_array().at(1).as_object().at("errorCode").is_null());
  // Without an error node the field is left out.
  EXPECT_FALSE(execution_view("exec-1", completed_state(), &flow, t0).contains("errorNodeId"));
}

TEST(execution_view, unfinished_nodes_and_executions_have_null_end_times_and_a_running_total) {
  execution_state s;
  s.status = execution_status::running;
  s.started_at = t0;
  s.next_index = stream_index{3};
  s.nodes["in"].task = task(node_status::running, 1, t0 + 5, t0 + 9);
  s.nodes["f"].task = task(node_status::waiting_retry, 1, t0 + 10, t0 + 20);
  s.nodes["f"].task.error = "rate limited";
  s.nodes["out"].task = task(node_status::skipped, 0, 0, t0 + 30);
  auto flow = three_nodes();
  auto view = execution_view("exec-2", s, &flow, t0 + 250);
  EXPECT_EQ(view.at("status"), "running");
  EXPECT_TRUE(view.at("completedAt").is_null());
  EXPECT_TRUE(view.at("output").is_null());
  EXPECT_TRUE(view.at("error").is_null());
  EXPECT_EQ(view.at("metrics").at("totalDurationMs"), 250);
  EXPECT_EQ(view.at("metrics").at("totalCost"), 0);
  EXPECT_EQ(view.at("eventCount"), 3);
  const auto& nodes = view.at("nodes").as_array();
  ASSERT_EQ(nodes.size(), 3u);
  // Only completed and failed nodes have an end.
  for (const auto& n : nodes) {
    EXPECT_TRUE(n.at("completedAt").is_null()) << n;
    EXPECT_TRUE(n.at("durationMs").is_null()) << n;
  }
  EXPECT_EQ(nodes[0].at("status"), "running");
  EXPECT_EQ(nodes[0].at("startedAt"), "2023-11-14T22:13:20.005Z");
  // Waiting for a retry reads as pending, with the last attempt's error.
  EXPECT_EQ(nodes[1].at("status"), "pending");
  EXPECT_EQ(nodes[1].at("error"), "rate limited");
  EXPECT_EQ(nodes[2].at("status"), "skipped");
  EXPECT_TRUE(nodes[2].at("startedAt").is_null());
  EXPECT_TRUE(nodes[2].at("blockExecutionId").is_null());
}

TEST(execution_view, without_the_flow_the_nodes_are_those_the_events_name_in_id_order) {
  auto view = execution_view("exec-1", completed_state(), nullptr, t0);
  const auto& nodes = view.at("nodes").as_array();
  ASSERT_EQ(nodes.size(), 2u);
  EXPECT_EQ(nodes[0].at("nodeId"), "f");
  EXPECT_EQ(nodes[1].at("nodeId"), "in");
  EXPECT_FALSE(nodes[0].as_object().contains("type"));
  EXPECT_EQ(nodes[1].at("blockExecutionId"), "be-in");
}

TEST(execution_view, routers_show_their_route_and_loops_each_iteration) {
  execution_state s = completed_state();
  s.nodes["f"].route = "high";
  auto& it0 = s.nodes["f"].iterations[0];
  it0 = task(node_status::completed, 1, t0 + 40, t0 + 45);
  it0.output = "a";
  auto& it1 = s.nodes["f"].iterations[1];
  it1 = task(node_status::failed, 2, t0 + 41, t0 + 50);
  it1.error = "bad item";
  auto flow = three_nodes();
  auto f = execution_view("exec-1", s, &flow, t0).at("nodes").as_array().at(1).as_object();
  EXPECT_EQ(f.at("route"), "high");
  EXPECT_EQ(json::value(f.at("iterations")), json::parse(R"([
    {"iteration": 0, "blockExecutionId": null, "status": "completed", "attempts": 1,
     "startedAt": "2023-11-14T22:13:20.040Z", "completedAt": "2023-11-14T22:13:20.045Z",
     "durationMs": 5, "input": null, "output": "a", "error": null, "errorCode": null},
    {"iteration": 1, "blockExecutionId": null, "status": "failed", "attempts": 2,
     "startedAt": "2023-11-14T22:13:20.041Z", "completedAt": "2023-11-14T22:13:20.050Z",
     "durationMs": 9, "input": null, "output": null, "error": "bad item", "errorCode": null}
  ])"));
  // A node with neither has no such fields, nor tokens when it used none.
  const auto in = execution_view("exec-1", s, &flow, t0).at("nodes").as_array().at(0).as_object();
  EXPECT_FALSE(in.contains("route"));
  EXPECT_FALSE(in.contains("iterations"));
  EXPECT_FALSE(in.contains("tokens"));
}

} // namespace
} // namespace baley::http
