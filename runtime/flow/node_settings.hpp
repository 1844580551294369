// Reading one node's settings (`data`) by kind: jq programs compiled through
// the cache, routes, loop body, delay, retry policy, a source's input schema.
// Problems are collected, not thrown, so the compiler reports every one at once.
#pragma once

#include "runtime/flow/flow.hpp"

#include <vector>

namespace baley::runtime {

// Fills the kind-specific fields of `node` from node.data; appends a problem
// (with node.id) for each setting that is missing or wrong.
void read_node_settings(compiled_node& node, jq_cache& programs,
                        std::vector<flow_problem>& problems,
                        const connection_check& connection_exists = {});

} // namespace baley::runtime
