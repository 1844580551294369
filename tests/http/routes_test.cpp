// Tests of the route table: every method and pattern to its route, parameters
// and metrics label; 404 for unknown paths, 405 with Allow for other methods.
#include "http/routes.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace baley::http {
namespace {

using params = std::vector<std::string>;

struct expected_route {
  const char* method;
  const char* path;
  route_id id;
  params want_params;
  const char* label;
};

TEST(routes, every_route_of_the_table_matches_with_its_parameters_and_label) {
  using enum route_id;
  const std::vector<expected_route> table = {
    {"POST", "/api/session", session_create, {}, "POST /api/session"},
    {"DELETE", "/api/session", session_delete, {}, "DELETE /api/session"},
    {"POST", "/api/tokens", token_create, {}, "POST /api/tokens"},
    {"DELETE", "/api/tokens/t1", token_delete, {"t1"}, "DELETE /api/tokens/{id}"},
    {"POST", "/api/workspaces", workspace_create, {}, "POST /api/workspaces"},
    {"GET", "/api/workspaces/current", workspace_current, {}, "GET /api/workspaces/current"},
    {"POST", "/api/flows", flow_create, {}, "POST /api/flows"},
    {"GET", "/api/flows", flow_list, {}, "GET /api/flows"},
    {"GET", "/api/flows/f1", flow_get, {"f1"}, "GET /api/flows/{id}"},
    {"PUT", "/api/flows/f1", flow_update, {"f1"}, "PUT /api/flows/{id}"},
    {"DELETE", "/api/flows/f1", flow_delete, {"f1"}, "DELETE /api/flows/{id}"},
    {"POST", "/api/flows/f1/execute", flow_execute, {"f1"}, "POST /api/flows/{id}/execute"},
    {"POST", "/api/flows/f1/webhook", webhook_create, {"f1"}, "POST /api/flows/{id}/webhook"},
    {"GET", "/api/flows/f1/webhook", webhook_get, {"f1"}, "GET /api/flows/{id}/webhook"},
    {"PATCH", "/api/flows/f1/webhook", webhook_update, {"f1"}, "PATCH /api/flows/{id}/webhook"},
    {"DELETE", "/api/flows/f1/webhook", webhook_delete, {"f1"},
     "DELETE /api/flows/{id}/webhook"},
    {"POST", "/api/flows/f1/webhook/regenerate", webhook_regenerate, {"f1"},
     "POST /api/flows/{id}/webhook/regenerate"},
    {"GET", "/api/flows/f1/webhook/logs", webhook_logs, {"f1"},
     "GET /api/flows/{id}/webhook/logs"},
    {"POST", "/api/webhooks/f1/s3cr3t", webhook_trigger, {"f1", "s3cr3t"},
     "POST /api/webhooks/{flowId}/{secret}"},
    {"POST", "/api/blocks", block_create, {}, "POST /api/blocks"},
    {"GET", "/api/blocks", block_list, {}, "GET /api/blocks"},
    {"GET", "/api/blocks/b1", block_get, {"b1"}, "GET /api/blocks/{id}"},
    {"PUT", "/api/blocks/b1", block_update, {"b1"}, "PUT /api/blocks/{id}"},
    {"DELETE", "/api/blocks/b1", block_delete, {"b1"}, "DELETE /api/blocks/{id}"},
    {"POST", "/api/connections", connection_create, {}, "POST /api/connections"},
    {"GET", "/api/connections", connection_list, {}, "GET /api/connections"},
    {"GET", "/api/connections/c1", connection_get, {"c1"}, "GET /api/connections/{id}"},
    {"DELETE", "/api/connections/c1", connection_delete, {"c1"},
     "DELETE /api/connections/{id}"},
    {"GET", "/api/executions", execution_list, {}, "GET /api/executions"},
    {"GET", "/api/executions/e1", execution_get, {"e1"}, "GET /api/executions/{id}"},
    {"GET", "/api/executions/e1/stream", execution_stream, {"e1"},
     "GET /api/executions/{id}/stream"},
    {"POST", "/api/executions/e1/cancel", execution_cancel, {"e1"},
     "POST /api/executions/{id}/cancel"},
    {"GET", "/api/executions/e1/replay", execution_replay, {"e1"},
     "GET /api/executions/{id}/replay"},
    {"GET", "/api/executions/e1/audit", execution_audit, {"e1"},
     "GET /api/executions/{id}/audit"},
    {"GET", "/healthz", health, {}, "GET /healthz"},
    {"GET", "/metrics", metrics, {}, "GET /metrics"},
    {"GET", "/", ui, {}, "GET /"},
    {"GET", "/executions/e1", ui, {"e1"}, "GET /executions/{id}"},
    {"GET", "/assets/app.js", ui, {"app.js"}, "GET /assets/{name}"},
    {"GET", "/blocks/b1/test", ui, {"b1"}, "GET /blocks/{id}/test"},
    {"GET", "/api/patterns/p1/matches", pattern_matches, {"p1"},
     "GET /api/patterns/{id}/matches"},
  };
  for (const auto& want : table) {
    auto found = find_route(want.method, want.path);
    ASSERT_TRUE(found.match) << want.method << " " << want.path;
    EXPECT_EQ(found.match->id, want.id) << want.method << " " << want.path;
    EXPECT_EQ(found.match->params, want.want_params) << want.method << " " << want.path;
    EXPECT_EQ(found.match->label, want.label);
  }
}

TEST(routes, parameters_are_whole_segments_taken_as_sent) {
  auto uuid = find_route("GET", "/api/flows/0190a3b4-7c2d-7e0f-8a1b-2c3d4e5f6a7b");
  ASSERT_TRUE(uuid.match);
  EXPECT_EQ(uuid.match->params, params{"0190a3b4-7c2d-7e0f-8a1b-2c3d4e5f6a7b"});
  // The path is not percent-decoded: an encoded slash stays inside one segment.
  auto encoded = find_route("GET", "/api/flows/a%2Fb");
  ASSERT_TRUE(encoded.match);
  EXPECT_EQ(encoded.match->id, route_id::flow_get);
  EXPECT_EQ(encoded.match->params, params{"a%2Fb"});
  auto secret = find_route("POST", "/api/webhooks/f-1/AbC_d-E");
  ASSERT_TRUE(secret.match);
  EXPECT_EQ(secret.match->params, (params{"f-1", "AbC_d-E"}));
}

TEST(routes, unknown_paths_are_404_without_allow) {
  for (const char* path : {"/api/nothing", "/api", "/api/", "/api/flows/f1/unknown",
                           "/api/webhooks/f1", "/api/webhooks/f1/s/extra", "/healthz/x",
                           "/metricsx", "", "//", "api/flows"}) {
    auto found = find_route("GET", path);
    EXPECT_FALSE(found.match) << path;
    EXPECT_EQ(found.miss.status, 404) << path;
    EXPECT_EQ(found.miss.allow, "") << path;
  }
}

TEST(routes, a_trailing_slash_or_an_empty_segment_does_not_match) {
  for (const char* path : {"/api/flows/", "/api/flows/f1/", "/api/flows//execute",
                           "/api//flows", "/api/executions/e1/stream/", "/healthz/"}) {
    auto found = find_route("GET", path);
    EXPECT_FALSE(found.match) << path;
    EXPECT_EQ(found.miss.status, 404) << path;
  }
  // An empty parameter is no parameter.
  auto trigger = find_route("POST", "/api/webhooks//secret");
  EXPECT_FALSE(trigger.match);
  EXPECT_EQ(trigger.miss.status, 404);
}

TEST(routes, matching_is_case_sensitive_in_path_and_method) {
  EXPECT_EQ(find_route("GET", "/API/flows").miss.status, 404);
  EXPECT_EQ(find_route("GET", "/api/Flows").miss.status, 404);
  auto lower = find_route("get", "/api/flows");
  EXPECT_FALSE(lower.match);
  EXPECT_EQ(lower.miss.status, 405);
  EXPECT_EQ(lower.miss.allow, "POST, GET");
}

TEST(routes, a_known_path_with_another_method_is_405_with_the_allowed_methods_in_table_order) {
  struct expected_miss {
    const char* method;
    const char* path;
    const char* allow;
  };
  for (const auto& want : std::vector<expected_miss>{
         {"GET", "/api/session", "POST, DELETE"},
         {"PUT", "/api/flows", "POST, GET"},
         {"POST", "/api/flows/f1", "GET, PUT, DELETE"},
         {"PATCH", "/api/blocks/b1", "GET, PUT, DELETE"},
         {"PUT", "/api/flows/f1/webhook", "POST, GET, PATCH, DELETE"},
         {"GET", "/api/flows/f1/execute", "POST"},
         {"GET", "/api/webhooks/f1/s", "POST"},
         {"GET", "/api/tokens/t1", "DELETE"},
         {"DELETE", "/api/executions/e1", "GET"},
         {"GET", "/api/executions/e1/cancel", "POST"},
         {"POST", "/healthz", "GET"},
         {"HEAD", "/metrics", "GET"},
         {"DELETE", "/", "GET"},
         {"GET", "/api/tokens", "POST"},
         {"PUT", "/api/connections/c1", "GET, DELETE"},
       }) {
    auto found = find_route(want.method, want.path);
    EXPECT_FALSE(found.match) << want.method << " " << want.path;
    EXPECT_EQ(found.miss.status, 405) << want.method << " " << want.path;
    EXPECT_EQ(found.miss.allow, want.allow) << want.method << " " << want.path;
  }
}

TEST(routes, a_literal_segment_is_not_taken_for_a_parameter_of_a_longer_pattern) {
  // "current" is a literal under /api/workspaces; no {id} route shares it.
  auto current = find_route("DELETE", "/api/workspaces/current");
  EXPECT_FALSE(current.match);
  EXPECT_EQ(current.miss.allow, "GET");
  // /api/flows/{id}/webhook/logs does not match /api/flows/{id}/webhook.
  auto logs = find_route("GET", "/api/flows/f1/webhook/logs");
  ASSERT_TRUE(logs.match);
  EXPECT_EQ(logs.match->id, route_id::webhook_logs);
  EXPECT_EQ(find_route("GET", "/api/flows/f1/webhook/logs/x").miss.status, 404);
}

} // namespace
} // namespace baley::http
