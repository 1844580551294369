// A rerun's plan; see rerun.hpp.
#include "runtime/execution/rerun.hpp"

#include <set>

namespace baley::runtime {

result<rerun_plan> plan_rerun(const compiled_flow& flow, const execution_state& parent,
                              const std::string& from_node_id,
                              std::optional<boost::json::value> input) {
  const auto* from = flow.find(from_node_id);
  if (!from)
    return error{"invalid_node", "node '" + from_node_id + "' is not in version "
                                   + std::to_string(parent.flow_version) + " of the flow", {}};
  // The chosen node and everything after it run again.
  std::set<std::string> again{from->id};
  std::vector<const compiled_node*> todo{from};
  while (!todo.empty()) {
    const auto* node = todo.back();
    todo.pop_back();
    for (auto e : node->out_edges) {
      const auto& target = flow.edges[e].target;
      if (again.insert(target).second)
        todo.push_back(flow.find(target));
    }
  }
  rerun_plan plan{.from_node_id = from->id, .reuse = {}, .input = std::move(input)};
  for (const auto& node : flow.nodes) {
    auto it = parent.nodes.find(node.id);
    if (again.contains(node.id) || it == parent.nodes.end()
        || it->second.task.status != node_status::completed)
      continue;
    plan.reuse.emplace(node.id, rerun_plan::recorded{it->second.task.output, it->second.route});
  }
  return plan;
}

} // namespace baley::runtime
