// What a rerun from a node reuses of its parent (API.md "Rerun, diff,
// approvals"): every node that is not downstream of the chosen one and
// completed in the parent keeps its recorded output; the rest run again.
#pragma once

#include "runtime/execution/events.hpp"
#include "runtime/execution/execution_state.hpp"
#include "runtime/flow/flow.hpp"

namespace baley::runtime {

// The plan of a rerun of `parent` (folded, of the same flow version as
// `flow`) from `from_node_id`, with `input` replacing that node's input when
// given. Error "invalid_node" when the node is not in the flow.
result<rerun_plan> plan_rerun(const compiled_flow& flow, const execution_state& parent,
                              const std::string& from_node_id,
                              std::optional<boost::json::value> input);

} // namespace baley::runtime
