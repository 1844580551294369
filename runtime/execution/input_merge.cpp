// Join and mapping rules for node inputs; see input_merge.hpp.
#include "runtime/execution/input_merge.hpp"

#include <algorithm>

namespace baley::runtime {
namespace json = boost::json;

json::value merge_inputs(const compiled_flow& flow, const compiled_node& node,
                         const std::vector<std::size_t>& active_edges,
                         const execution_state& state) {
  std::vector<const std::string*> preds;
  for (auto e : active_edges) {
    const auto& source = flow.edges[e].source;
    if (std::none_of(preds.begin(), preds.end(),
                     [&](const std::string* p) { return *p == source; }))
      preds.push_back(&source);
  }
  auto output_of = [&](const std::string& id) -> json::value {
    auto it = state.nodes.find(id);
    return it == state.nodes.end() ? json::value() : it->second.task.output;
  };
  if (node.merge_array) {
    json::array out;
    for (auto* p : preds)
      out.push_back(output_of(*p));
    return out;
  }
  if (preds.size() == 1)
    return output_of(*preds.front());
  json::object out;
  for (auto* p : preds)
    out[*p] = output_of(*p);
  return out;
}

} // namespace baley::runtime
