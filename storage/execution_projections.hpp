// The projections an execution's append writes with its events: its summary
// (start and end), its test-run row, its Idempotency-Key, its decisions and
// its failures. Derived only from the state before the events, the events
// and what the flow says of its nodes, so that the execution actor and
// `baley admin rebuild` write the same bytes.
#pragma once

#include "runtime/execution/execution_state.hpp"
#include "runtime/insight/decision.hpp"
#include "storage/event_log.hpp"

#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace baley::storage {

struct execution_facts {
  // data.blockId of a node of the execution's flow, if it runs a stored block.
  std::function<std::optional<std::string>(const std::string& node_id)> stored_block_of;
  // A test run: whether the tested block is an ai-block.
  bool tested_block_is_ai = false;
};

// The rows of a decision (its row and its two index rows), written when it is
// made and again when its latest feedback changes.
void decision_puts(const runtime::decision_record& d, std::vector<projection_put>& out);

// The puts for appending `events` to an execution whose state is `before`.
// A new decision is also queued for the pattern matcher (pattern_queue).
void execution_puts(const std::string& execution_id, const runtime::execution_state& before,
                    const std::vector<runtime::execution_event>& events,
                    const execution_facts& facts, std::vector<projection_put>& out);

} // namespace baley::storage
