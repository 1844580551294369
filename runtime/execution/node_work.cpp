// The computations of the deterministic node kinds; see node_work.hpp.
#include "runtime/execution/node_work.hpp"

namespace baley::runtime {
namespace json = boost::json;
namespace {

node_failure failure_of(const error& e) {
  return node_failure{e.message, jq_error_is_retryable(e), std::nullopt};
}

node_result run_program(const jq_program& program, const json::value& input) {
  auto out = program.run_single(input);
  if (!out)
    return failure_of(out.error());
  return node_output{std::move(out).value(), std::nullopt, std::nullopt};
}

bool truthy(const json::value& v) {
  return !v.is_null() && !(v.is_bool() && !v.get_bool());
}

node_result choose_route(const compiled_node& node, const json::value& input) {
  for (const auto& r : node.routes) {
    auto outputs = r.when->run(input);
    if (!outputs)
      return node_failure{"route '" + r.name + "': " + outputs.error().message, false, {}};
    if (!outputs->empty() && truthy(outputs->front()))
      return node_output{input, r.name, std::nullopt};
  }
  if (node.default_route)
    return node_output{input, *node.default_route, std::nullopt};
  return node_failure{"no route matched and the router has no default", false, {}};
}

} // namespace

node_result run_node(const compiled_node& node, const json::value& input) {
  switch (node.kind) {
    case node_kind::function_block: return run_program(*node.code, input);
    case node_kind::router: return choose_route(node, input);
    case node_kind::ai_block:
      return node_failure{"ai-block is not available in this build", false, {}};
    default: return node_output{input, std::nullopt, std::nullopt};
  }
}

std::variant<std::vector<json::value>, node_failure>
expand_loop(const compiled_node& loop, const json::value& input) {
  auto out = loop.over->run_single(input);
  if (!out)
    return node_failure{"over: " + out.error().message, false, {}};
  if (!out->is_array())
    return node_failure{"over must give an array, got " + json::serialize(*out), false, {}};
  const auto& array = out->get_array();
  return std::vector<json::value>(array.begin(), array.end());
}

node_result run_loop_body(const loop_body& body, const json::value& item) {
  return run_program(*body.code, item);
}

} // namespace baley::runtime
