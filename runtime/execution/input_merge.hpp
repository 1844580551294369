// How a node's input is made from its predecessors (DESIGN.md, "Joins"): one
// active predecessor gives its output as it is; several give an object keyed
// by predecessor id, or an array in edge order with data.merge = "array".
#pragma once

#include "runtime/execution/execution_state.hpp"
#include "runtime/flow/flow.hpp"

#include <vector>

namespace baley::runtime {

// `active_edges`: indexes into flow.edges of the edges whose source completed
// and was taken, in the order they appear in the flow's edges.
boost::json::value merge_inputs(const compiled_flow& flow, const compiled_node& node,
                                const std::vector<std::size_t>& active_edges,
                                const execution_state& state);

} // namespace baley::runtime
