// Reading one node's settings (`data`) by kind: jq programs compiled through
// the cache, routes, loop body, delay, retry policy, a source's input schema.
// Problems are collected, not thrown, so the compiler reports every one at once.
#pragma once

#include "runtime/flow/flow_compiler.hpp"

#include <vector>

namespace baley::runtime {

// Fills node.settings (already of node's kind) and the settings every kind
// has from node.data; appends a problem
// (with node.id) for each setting that is missing or wrong.
void read_node_settings(compiled_node& node, jq_cache& programs,
                        std::vector<flow_problem>& problems,
                        const connection_check& connection_exists = {});

} // namespace baley::runtime
