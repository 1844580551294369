// The messages actors exchange: atoms for requests and facts, and the payload
// types they carry. Payloads travel as shared pointers to immutable values, so
// a committed event is copied once from the writer and then only shared.
#pragma once

#include "runtime/execution/execution_state.hpp"
#include "runtime/execution/node_work.hpp"
#include "storage/event_log.hpp"

#include <caf/allowed_unsafe_message_type.hpp>
#include <caf/atom.hpp>

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace baley::actors {

// Requests.
using subscribe_atom = caf::atom_constant<caf::atom("subscribe")>;
using unsubscribe_atom = caf::atom_constant<caf::atom("unsubscr")>;
using cancel_atom = caf::atom_constant<caf::atom("cancel")>;
using run_atom = caf::atom_constant<caf::atom("run")>;
using retry_due_atom = caf::atom_constant<caf::atom("retrydue")>;
using wait_over_atom = caf::atom_constant<caf::atom("waitover")>;

// Facts.
using committed_atom = caf::atom_constant<caf::atom("committed")>;
using appended_atom = caf::atom_constant<caf::atom("appended")>;
using event_atom = caf::atom_constant<caf::atom("event")>;
using node_done_atom = caf::atom_constant<caf::atom("nodedone")>;
using finished_atom = caf::atom_constant<caf::atom("finished")>;
using started_atom = caf::atom_constant<caf::atom("started")>;
using stream_atom = caf::atom_constant<caf::atom("nodestream")>;

// Subscribing to this stream name delivers every committed event.
inline constexpr std::string_view all_streams = "$all";

using shared_event = std::shared_ptr<const storage::committed_event>;
using committed_batch = std::shared_ptr<const std::vector<shared_event>>;

// The answer of the log to one append of an execution actor.
struct append_outcome {
  result<std::vector<storage::committed_event>> events;
};
using append_outcome_ptr = std::shared_ptr<const append_outcome>;

// What a node actor reports for one attempt of one task.
struct node_report {
  std::string node_id;
  std::optional<std::uint32_t> iteration;
  std::uint32_t attempt = 1;
  // node_output or node_failure; for a loop's own task, its items instead.
  std::variant<runtime::node_output, runtime::node_failure,
               std::vector<boost::json::value>>
    outcome;
};
using node_report_ptr = std::shared_ptr<const node_report>;

// A piece of an ai-block's reply as it streams in, for a node_stream event.
struct stream_report {
  std::string node_id;
  std::optional<std::uint32_t> iteration;
  std::uint32_t attempt = 1;
  boost::json::value event;  // {type:"text_delta",content} | {type:"tool_call",...}
};
using stream_report_ptr = std::shared_ptr<const stream_report>;

// How an execution ended, for whoever waits on it, with its final state.
struct execution_finished {
  std::string execution_id;
  std::string status;  // completed | failed | cancelled | log_failed
  std::shared_ptr<const runtime::execution_state> state;
};

} // namespace baley::actors

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(baley::actors::shared_event)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(baley::actors::committed_batch)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(baley::actors::append_outcome_ptr)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(baley::actors::node_report_ptr)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(baley::actors::stream_report_ptr)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(baley::actors::execution_finished)
