// The compiled flow: the editor's JSON (React Flow: nodes, edges) checked and
// turned into what the execution needs: node kinds, edges by node, a
// topological order and every jq program compiled once.
#pragma once

#include "runtime/llm/ai_settings.hpp"
#include "runtime/jq/jq_program.hpp"
#include "runtime/schema/json_schema.hpp"
#include "runtime/resilience/retry_policy.hpp"

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace baley::runtime {

enum class node_kind {
  source,
  sink,
  function_block,
  router,
  parallel,
  loop,
  delay,
  ai_block,
};

std::optional<node_kind> node_kind_from_name(std::string_view name);
std::string_view node_kind_name(node_kind kind);

using program_ptr = std::shared_ptr<const jq_program>;

// The largest data.timeoutMs a jq evaluation may be given: one hour.
inline constexpr std::int64_t max_jq_timeout_ms = 3'600'000;

struct route {
  std::string name;
  program_ptr when;
};

// What a loop runs per item: an inline function block.
struct loop_body {
  node_kind kind = node_kind::function_block;
  program_ptr code;
  retry_policy retry;
  std::optional<std::int64_t> timeout_ms;  // body.timeoutMs; none: the loop's
};

struct flow_edge {
  std::string id;
  std::string source;
  std::string target;
  std::optional<std::string> source_handle;
};

struct compiled_node {
  std::string id;
  node_kind kind = node_kind::function_block;
  boost::json::object data;
  std::vector<std::size_t> in_edges;   // indexes into compiled_flow::edges
  std::vector<std::size_t> out_edges;
  program_ptr code;            // function-block
  program_ptr input_mapping;   // any node, optional
  std::vector<route> routes;   // router
  std::optional<std::string> default_route;
  program_ptr over;            // loop
  std::optional<loop_body> body;
  std::uint32_t concurrency = 1;
  std::uint32_t max_iterations = 1000;
  std::int64_t delay_ms = 0;   // delay
  bool merge_array = false;    // data.merge == "array"
  retry_policy retry;
  // data.timeoutMs: the time budget of each jq evaluation of this node (none:
  // the server's default). An ai-block's timeoutMs is its provider call's.
  std::optional<std::int64_t> jq_timeout_ms;
  std::shared_ptr<const json_schema> input_schema;  // source: data.inputSchema, optional
  std::optional<ai_settings> ai;                     // ai-block
};

struct compiled_flow {
  std::string name;
  boost::json::value definition;  // the flow JSON as given
  std::vector<compiled_node> nodes;
  std::vector<flow_edge> edges;
  std::vector<std::size_t> topological_order;
  std::unordered_map<std::string, std::size_t> node_index;

  const compiled_node* find(std::string_view id) const;
};

struct flow_problem {
  std::string node_id;  // empty for problems of the flow as a whole
  std::string message;
};

struct compile_outcome {
  std::shared_ptr<const compiled_flow> flow;  // null when problems is not empty
  std::vector<flow_problem> problems;
};

// Checks everything at once and reports every problem with its node id:
// unknown type, duplicate id, dangling edge, cycle, no source, router route
// without edge, jq that does not compile, bad settings.
// `connection_exists` answers whether an ai-block's connectionId names a
// connection; without it every ai-block is refused ("connection not found").
using connection_check = std::function<bool(const std::string& connection_id)>;
compile_outcome compile_flow(const boost::json::value& flow, jq_cache& programs,
                             const connection_check& connection_exists = {});

// {"error","code":"invalid_flow","errors":[{"nodeId","message"}]}
boost::json::object invalid_flow_body(const std::vector<flow_problem>& problems);

} // namespace baley::runtime
