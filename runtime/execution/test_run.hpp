// Block test runs (API.md, "Block testing"): a durable execution of one
// stored block, `source → block → sink`, under the flow id "test:<blockId>"
// at the block's version, so recovery, streams and replay treat it like any.
#pragma once

#include "runtime/execution/execution_state.hpp"

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <optional>
#include <string>
#include <string_view>

namespace baley::runtime {

inline constexpr std::string_view test_flow_prefix = "test:";
// The id of the node that runs the block in a test flow.
inline constexpr std::string_view tested_node_id = "block";

std::string test_flow_id(std::string_view block_id);
// The block a test flow id tests; nothing for any other flow id.
std::optional<std::string> tested_block_of(std::string_view flow_id);

// The flow JSON that tests `block_id` ({name, type, config}): its source
// carries the block's config.inputSchema, so a test input is checked as a
// flow input is.
boost::json::value block_test_flow(const std::string& block_id, const boost::json::value& block);

// The test run of execution `execution_id` as the API shows it:
// {"id","blockId","blockVersion","executionId","status","input","output",
//  "error","startedAt","completedAt","durationMs","model","tokens","cost",
//  "ttftMs","tokensPerSecond","toolCalls"}; the AI fields are null unless
// `ai`; completedAt and durationMs are null while it runs. Its id is the
// execution's id.
boost::json::object test_run_json(const std::string& execution_id, const execution_state& state,
                                  bool ai);

} // namespace baley::runtime
