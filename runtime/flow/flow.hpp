// The compiled flow: what the execution needs of the editor's JSON (React
// Flow: nodes, edges): node kinds and their settings, edges by node, a
// topological order, every jq program compiled once. flow_compiler.hpp makes one.
#pragma once

#include "runtime/llm/ai_settings.hpp"
#include "runtime/jq/jq_program.hpp"
#include "runtime/schema/json_schema.hpp"
#include "runtime/resilience/retry_policy.hpp"

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <variant>
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
// The longest a delay node may wait (data.ms): a week.
inline constexpr std::int64_t max_delay_ms = 7 * 24 * 3'600'000LL;

struct route {
  std::string name;
  program_ptr when;
};

// What a loop runs per item: an inline function-block, or an ai-block (its
// provider calls bounded by the loop's concurrency).
struct loop_body {
  node_kind kind = node_kind::function_block;
  program_ptr code;                        // function-block
  std::shared_ptr<const ai_settings> ai;   // ai-block
  retry_policy retry;
  std::optional<std::int64_t> timeout_ms;  // body.timeoutMs; none: the loop's
};

struct flow_edge {
  std::string id;
  std::string source;
  std::string target;
  std::optional<std::string> source_handle;
};

// What each kind of node is configured with: its `data`, read and compiled.
struct source_settings {
  std::shared_ptr<const json_schema> input_schema;  // data.inputSchema, optional
};
struct sink_settings {};
struct function_settings {
  program_ptr code;
};
struct router_settings {
  std::vector<route> routes;
  std::optional<std::string> default_route;
  // data.classifier: an ai-block whose answer (a string, or {"route"})
  // names the route; the `when`s are then not used.
  std::shared_ptr<const ai_settings> classifier;
};
struct parallel_settings {};
struct loop_settings {
  program_ptr over;
  loop_body body;
  std::uint32_t concurrency = 1;
  std::uint32_t max_iterations = 1000;
};
struct delay_settings {
  std::int64_t delay_ms = 0;
};

// One alternative per node_kind, in its order: the index is the kind.
using kind_settings = std::variant<source_settings, sink_settings, function_settings,
                                   router_settings, parallel_settings, loop_settings,
                                   delay_settings, ai_settings>;

// The settings of a kind before its data is read.
kind_settings default_settings(node_kind kind);

struct compiled_node {
  std::string id;
  kind_settings settings;      // what only this kind has
  boost::json::object data;
  std::vector<std::size_t> in_edges;   // indexes into compiled_flow::edges
  std::vector<std::size_t> out_edges;
  program_ptr input_mapping;   // any node, optional
  bool merge_array = false;    // data.merge == "array"
  retry_policy retry;
  // data.timeoutMs: the time budget of each jq evaluation of this node (none:
  // the server's default). An ai-block's timeoutMs is its provider call's.
  std::optional<std::int64_t> jq_timeout_ms;

  node_kind kind() const { return static_cast<node_kind>(settings.index()); }
  // This node's settings if it is of that kind, else null.
  template <class Settings>
  const Settings* settings_of() const { return std::get_if<Settings>(&settings); }
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

} // namespace baley::runtime
