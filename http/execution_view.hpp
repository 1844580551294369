// The JSON of GET /api/executions/{id} (API.md), built from a folded state:
// the execution's fields, metrics, and one record per node of its flow.
#pragma once

#include "runtime/execution/execution_state.hpp"
#include "runtime/flow/flow.hpp"

#include <boost/json/object.hpp>

namespace baley::http {

// `flow` may be null (the flow version could not be loaded): nodes are then
// those the events name.
boost::json::object execution_view(const std::string& execution_id,
                                   const runtime::execution_state& state,
                                   const runtime::compiled_flow* flow, unix_ms now);

} // namespace baley::http
