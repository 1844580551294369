// Stored blocks in flows: a node (or a loop body) that names a block through
// `data.blockId` runs that block's config. Resolution rewrites the flow JSON
// into inline nodes before it is compiled, and says which block versions it
// used, so an execution records them and recovery resolves the same ones.
#pragma once

#include "runtime/flow/flow_compiler.hpp"

#include <boost/json/value.hpp>

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace baley::runtime {

struct stored_block {
  std::uint64_t version = 0;
  boost::json::value block;  // {name, type, config}
};

// The block a node names, or nothing when there is no such block.
using block_lookup = std::function<std::optional<stored_block>(const std::string& block_id)>;

struct block_resolution {
  boost::json::value flow;                       // with blocks inlined
  std::map<std::string, std::uint64_t> versions;  // block id -> version used
  std::vector<flow_problem> problems;            // a block of the wrong type
};

// For every node with data.blockId: the block's config becomes the node's
// data (the node's own keys win, so a label or a retry policy can be set per
// node), plus data.blockVersion. A loop's data.body {blockId} becomes the
// block's config with its type. A block that does not exist is left as it
// is: the compiler reports it with the node id.
block_resolution resolve_blocks(const boost::json::value& flow, const block_lookup& lookup);

// The ids of the blocks a flow names (nodes and loop bodies).
// The stored block a node runs, from its `data`: data.blockId, or its loop
// body's or router classifier's blockId. What decisions and failures name.
std::optional<std::string> stored_block_of_node(const boost::json::object& data);

// The function-blocks a stored block's config.tools name (ai-blocks).
std::vector<std::string> tool_block_ids_of(const boost::json::value& block);

std::vector<std::string> block_ids_in(const boost::json::value& flow);

// "<flowId>@<version>" plus "#<block>@<version>,..." when blocks are used:
// the identity of what an execution compiled.
std::string compiled_flow_key(const std::string& flow_id, std::uint64_t version,
                              const std::map<std::string, std::uint64_t>& blocks);

} // namespace baley::runtime
