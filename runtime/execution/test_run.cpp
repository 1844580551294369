// Test runs: the synthesized flow and the API's view of one run.
#include "runtime/execution/test_run.hpp"

#include "runtime/time_format.hpp"

namespace baley::runtime {
namespace json = boost::json;

std::string test_flow_id(std::string_view block_id) {
  return std::string(test_flow_prefix).append(block_id);
}

std::optional<std::string> tested_block_of(std::string_view flow_id) {
  if (!flow_id.starts_with(test_flow_prefix) || flow_id.size() == test_flow_prefix.size())
    return std::nullopt;
  return std::string(flow_id.substr(test_flow_prefix.size()));
}

json::value block_test_flow(const std::string& block_id, const json::value& block) {
  json::object source_data;
  std::string type = "function-block";
  std::string name = block_id;
  if (const auto* b = block.if_object()) {
    if (const auto* t = b->if_contains("type"); t && t->is_string())
      type = std::string(t->get_string());
    if (const auto* n = b->if_contains("name"); n && n->is_string())
      name = std::string(n->get_string());
    if (const auto* config = b->if_contains("config"); config && config->is_object())
      if (const auto* schema = config->get_object().if_contains("inputSchema"))
        source_data["inputSchema"] = *schema;
  }
  json::array nodes{
    json::object{{"id", "in"}, {"type", "source"}, {"data", std::move(source_data)}},
    json::object{{"id", tested_node_id}, {"type", type}, {"data", {{"blockId", block_id}}}},
    json::object{{"id", "out"}, {"type", "sink"}}};
  json::array edges{json::object{{"id", "e1"}, {"source", "in"}, {"target", tested_node_id}},
                    json::object{{"id", "e2"}, {"source", tested_node_id}, {"target", "out"}}};
  return json::object{{"name", "test of " + name}, {"nodes", std::move(nodes)},
                      {"edges", std::move(edges)}};
}

json::object test_run_json(const std::string& execution_id, const execution_state& state,
                           bool ai) {
  auto block_id = tested_block_of(state.flow_id).value_or("");
  const node_record* node = nullptr;
  if (auto it = state.nodes.find(std::string(tested_node_id)); it != state.nodes.end())
    node = &it->second;
  bool done = is_terminal(state.status);
  json::object o;
  o["id"] = execution_id;
  o["blockId"] = block_id;
  o["blockVersion"] = state.flow_version;
  o["executionId"] = execution_id;
  o["status"] = status_name(state.status);
  o["input"] = state.input;
  o["output"] = node && node->task.status == node_status::completed ? node->task.output
                                                                      : json::value();
  o["error"] = state.error.empty() ? json::value() : json::value(state.error);
  o["startedAt"] = format_rfc3339_ms(state.started_at);
  o["completedAt"] = done ? json::value(format_rfc3339_ms(state.completed_at)) : json::value();
  o["durationMs"] = done ? json::value(state.completed_at - state.started_at) : json::value();
  auto ai_field = [&](auto value) { return ai && node ? json::value(value) : json::value(); };
  o["model"] = ai && node && node->model ? json::value(*node->model) : json::value();
  o["tokens"] = ai_field(json::object{{"input", node ? node->tokens_input : 0},
                                      {"output", node ? node->tokens_output : 0}});
  o["cost"] = ai_field(node ? node->cost : 0.0);
  o["ttftMs"] = ai && node && node->ttft_ms ? json::value(*node->ttft_ms) : json::value();
  o["tokensPerSecond"] = ai && node && node->tokens_per_second
                           ? json::value(*node->tokens_per_second) : json::value();
  json::array calls;
  if (node)
    for (const auto& step : node->task.tool_steps)
      calls.push_back(json::object{{"id", step.id},
                                   {"name", step.name},
                                   {"arguments", step.arguments},
                                   {"output", step.output ? *step.output : json::value()}});
  o["toolCalls"] = std::move(calls);
  return o;
}

} // namespace baley::runtime
