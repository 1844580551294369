// Node kinds by name, each kind's empty settings, lookup by id; see flow.hpp.
#include "runtime/flow/flow.hpp"

#include "runtime/enum_names.hpp"

#include <type_traits>

namespace baley::runtime {
namespace {

constexpr enum_names<node_kind, 8> kinds{{{
  {node_kind::source, "source"},
  {node_kind::sink, "sink"},
  {node_kind::function_block, "function-block"},
  {node_kind::router, "router"},
  {node_kind::parallel, "parallel"},
  {node_kind::loop, "loop"},
  {node_kind::delay, "delay"},
  {node_kind::ai_block, "ai-block"},
}}};

template <node_kind Kind, class Settings>
constexpr bool settings_at =
  std::is_same_v<std::variant_alternative_t<static_cast<std::size_t>(Kind), kind_settings>,
                 Settings>;

static_assert(settings_at<node_kind::source, source_settings>);
static_assert(settings_at<node_kind::sink, sink_settings>);
static_assert(settings_at<node_kind::function_block, function_settings>);
static_assert(settings_at<node_kind::router, router_settings>);
static_assert(settings_at<node_kind::parallel, parallel_settings>);
static_assert(settings_at<node_kind::loop, loop_settings>);
static_assert(settings_at<node_kind::delay, delay_settings>);
static_assert(settings_at<node_kind::ai_block, ai_settings>);
static_assert(std::variant_size_v<kind_settings> == 8, "one settings type per node kind");

} // namespace

std::optional<node_kind> node_kind_from_name(std::string_view name) {
  return kinds.parse(name);
}

std::string_view node_kind_name(node_kind kind) {
  return kinds.name(kind);
}

kind_settings default_settings(node_kind kind) {
  switch (kind) {
    case node_kind::source: return source_settings{};
    case node_kind::sink: return sink_settings{};
    case node_kind::function_block: return function_settings{};
    case node_kind::router: return router_settings{};
    case node_kind::parallel: return parallel_settings{};
    case node_kind::loop: return loop_settings{};
    case node_kind::delay: return delay_settings{};
    case node_kind::ai_block: return ai_settings{};
  }
  return parallel_settings{};
}

const compiled_node* compiled_flow::find(std::string_view id) const {
  auto it = node_index.find(std::string(id));
  return it == node_index.end() ? nullptr : &nodes[it->second];
}

} // namespace baley::runtime
