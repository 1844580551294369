// The workspace stream's messages (API.md, "Workspace stream"): an
// execution's start and its end, as {"executionId","flowId","status",
// "startedAt","completedAt","metrics","trigger"}, each made once from the
// committed event and shared by every client that follows its workspace.
#pragma once

#include "storage/event_log.hpp"

#include <caf/allowed_unsafe_message_type.hpp>

#include <memory>
#include <optional>
#include <string>

namespace baley::http {

struct execution_change {
  global_position position{};  // of the event that made it: the SSE id
  std::string workspace_id;
  bool test_run = false;       // sent only to clients that asked ?kind=test
  std::string data;            // the message's JSON
};
using execution_change_ptr = std::shared_ptr<const execution_change>;

// The change `e` makes, or nothing: execution_start (from the event itself)
// and the terminal events (from the summary committed with them) of exec/
// streams. Reads one projection row for a terminal event.
std::optional<execution_change> change_of(const storage::committed_event& e,
                                          const storage::event_log& log);

} // namespace baley::http

// A pointer shared by every feed of a workspace: a local-only message.
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(baley::http::execution_change_ptr)
