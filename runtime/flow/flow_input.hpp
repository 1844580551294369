// A flow's input checked before anything starts (DESIGN.md "Inputs"): every
// source with data.inputSchema validates the input, in the flow's node order.
#pragma once

#include "runtime/flow/flow.hpp"
#include "runtime/result.hpp"

#include <boost/json/value.hpp>

namespace baley::runtime {

// ok, or the first failing source's error: code "invalid_input", node_id the
// source, message "source 'in': input.items[2].price: expected number, got string".
status validate_flow_input(const compiled_flow& flow, const boost::json::value& input);

} // namespace baley::runtime
