// The route table; see routes.hpp.
#include "http/routes.hpp"

#include <array>

namespace baley::http {
namespace {

struct route_entry {
  std::string_view method;
  std::string_view pattern;
  route_id id;
};

using enum route_id;
constexpr std::array routes = {
  route_entry{"POST", "/api/session", session_create},
  route_entry{"DELETE", "/api/session", session_delete},
  route_entry{"POST", "/api/tokens", token_create},
  route_entry{"DELETE", "/api/tokens/{id}", token_delete},
  route_entry{"POST", "/api/workspaces", workspace_create},
  route_entry{"GET", "/api/workspaces/current", workspace_current},
  route_entry{"POST", "/api/flows", flow_create},
  route_entry{"GET", "/api/flows", flow_list},
  route_entry{"GET", "/api/flows/{id}", flow_get},
  route_entry{"PUT", "/api/flows/{id}", flow_update},
  route_entry{"DELETE", "/api/flows/{id}", flow_delete},
  route_entry{"POST", "/api/flows/{id}/execute", flow_execute},
  route_entry{"POST", "/api/flows/{id}/webhook", webhook_create},
  route_entry{"GET", "/api/flows/{id}/webhook", webhook_get},
  route_entry{"PATCH", "/api/flows/{id}/webhook", webhook_update},
  route_entry{"DELETE", "/api/flows/{id}/webhook", webhook_delete},
  route_entry{"POST", "/api/flows/{id}/webhook/regenerate", webhook_regenerate},
  route_entry{"GET", "/api/flows/{id}/webhook/logs", webhook_logs},
  route_entry{"POST", "/api/webhooks/{flowId}/{secret}", webhook_trigger},
  route_entry{"POST", "/api/blocks", block_create},
  route_entry{"GET", "/api/blocks", block_list},
  route_entry{"GET", "/api/blocks/{id}", block_get},
  route_entry{"PUT", "/api/blocks/{id}", block_update},
  route_entry{"DELETE", "/api/blocks/{id}", block_delete},
  route_entry{"POST", "/api/blocks/{id}/test", block_test},
  route_entry{"GET", "/api/blocks/{id}/tests", block_tests},
  route_entry{"GET", "/api/blocks/{id}/tests/{testRunId}", block_test_get},
  route_entry{"POST", "/api/connections", connection_create},
  route_entry{"GET", "/api/connections", connection_list},
  route_entry{"GET", "/api/connections/{id}", connection_get},
  route_entry{"DELETE", "/api/connections/{id}", connection_delete},
  route_entry{"GET", "/api/executions", execution_list},
  route_entry{"GET", "/api/executions/{id}", execution_get},
  route_entry{"GET", "/api/executions/{id}/stream", execution_stream},
  route_entry{"POST", "/api/executions/{id}/cancel", execution_cancel},
  route_entry{"GET", "/api/executions/{id}/replay", execution_replay},
  route_entry{"GET", "/api/executions/{id}/audit", execution_audit},
  route_entry{"GET", "/api/stream", workspace_stream},
  route_entry{"GET", "/api/decisions", decision_list},
  route_entry{"GET", "/api/decisions/{id}", decision_get},
  route_entry{"POST", "/api/decisions/{id}/feedback", decision_feedback},
  route_entry{"GET", "/api/feedback/categories", category_list},
  route_entry{"POST", "/api/feedback/categories", category_create},
  route_entry{"DELETE", "/api/feedback/categories/{name}", category_delete},
  route_entry{"GET", "/api/analytics/blocks/{id}", analytics_block},
  route_entry{"GET", "/api/analytics/cost", analytics_cost},
  route_entry{"GET", "/api/analytics/failures", analytics_failures},
  route_entry{"POST", "/api/patterns", pattern_create},
  route_entry{"GET", "/api/patterns", pattern_list},
  route_entry{"GET", "/api/patterns/{id}", pattern_get},
  route_entry{"PUT", "/api/patterns/{id}", pattern_update},
  route_entry{"DELETE", "/api/patterns/{id}", pattern_delete},
  route_entry{"GET", "/api/patterns/{id}/matches", pattern_matches},
  route_entry{"GET", "/healthz", health},
  route_entry{"GET", "/metrics", metrics},
  route_entry{"GET", "/", ui},
  route_entry{"GET", "/signin", ui},
  route_entry{"GET", "/executions", ui},
  route_entry{"GET", "/executions/{id}", ui},
  route_entry{"GET", "/blocks/{id}/test", ui},
  route_entry{"GET", "/blocks/{id}/analytics", ui},
  route_entry{"GET", "/flows/{id}/webhook", ui},
  route_entry{"GET", "/analytics", ui},
  route_entry{"GET", "/assets/{name}", ui},
};

// Matches `path` against `pattern`, collecting {parameters}. Empty
// parameters do not match.
bool matches(std::string_view pattern, std::string_view path,
             std::vector<std::string>& params) {
  params.clear();
  while (!pattern.empty() || !path.empty()) {
    if (pattern.empty() || path.empty() || pattern[0] != '/' || path[0] != '/')
      return pattern == path;
    pattern.remove_prefix(1);
    path.remove_prefix(1);
    auto pattern_end = pattern.find('/');
    auto path_end = path.find('/');
    auto want = pattern.substr(0, pattern_end);
    auto got = path.substr(0, path_end);
    if (!want.empty() && want.front() == '{') {
      if (got.empty())
        return false;
      params.emplace_back(got);
    } else if (want != got) {
      return false;
    }
    pattern = pattern_end == std::string_view::npos ? std::string_view() : pattern.substr(pattern_end);
    path = path_end == std::string_view::npos ? std::string_view() : path.substr(path_end);
  }
  return true;
}

} // namespace

route_result find_route(std::string_view method, std::string_view path) {
  route_result out;
  std::vector<std::string> params;
  for (const auto& r : routes) {
    if (!matches(r.pattern, path, params))
      continue;
    if (r.method == method) {
      out.match = route_match{r.id, std::move(params),
                              std::string(r.method) + " " + std::string(r.pattern)};
      return out;
    }
    if (out.miss.allow.find(r.method) == std::string::npos)
      out.miss.allow += (out.miss.allow.empty() ? "" : ", ") + std::string(r.method);
  }
  out.miss.status = out.miss.allow.empty() ? 404 : 405;
  return out;
}

} // namespace baley::http
