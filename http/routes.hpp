// The route table of API.md: method and path pattern to a route id, with the
// path parameters. Unknown paths are 404, known paths with another method 405
// with the methods that are allowed.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace baley::http {

enum class route_id {
  session_create,
  session_delete,
  token_create,
  token_delete,
  workspace_create,
  workspace_current,
  flow_create,
  flow_list,
  flow_get,
  flow_update,
  flow_delete,
  flow_execute,
  webhook_create,
  webhook_get,
  webhook_update,
  webhook_delete,
  webhook_regenerate,
  webhook_logs,
  webhook_trigger,
  block_create,
  block_list,
  block_get,
  block_update,
  block_delete,
  block_test,
  block_tests,
  block_test_get,
  connection_create,
  connection_list,
  connection_get,
  connection_delete,
  execution_list,
  execution_get,
  execution_stream,
  execution_cancel,
  execution_replay,
  execution_audit,
  workspace_stream,
  decision_list,
  decision_get,
  decision_feedback,
  category_list,
  category_create,
  category_delete,
  analytics_block,
  analytics_cost,
  analytics_failures,
  pattern_create,
  pattern_list,
  pattern_get,
  pattern_update,
  pattern_delete,
  pattern_matches,
  health,
  metrics,
  ui,
};

struct route_match {
  route_id id;
  std::vector<std::string> params;  // in pattern order
  std::string label;                // "GET /api/flows/{id}", for metrics
};

struct route_miss {
  int status = 404;            // 404 or 405
  std::string allow;           // for 405: "GET, PUT, DELETE"
};

// Either a match or why not.
struct route_result {
  std::optional<route_match> match;
  route_miss miss;
};

route_result find_route(std::string_view method, std::string_view path);

} // namespace baley::http
