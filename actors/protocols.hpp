// The typed interfaces of the actors other files talk to (CAF
// manual/Actors.rst, "Typed Actors"): a message an actor does not handle is a
// compile error at the sender, not a dropped message at run time.
#pragma once

#include "actors/type_ids.hpp"

#include <caf/typed_actor.hpp>

#include <cstdint>
#include <string>

namespace baley::actors {

// Anything that follows committed events: SSE feeds, `baley run`.
using event_subscriber = caf::typed_actor<caf::reacts_to<event_atom, shared_event>>;

// The broker: subscriptions by stream name (or all_streams), and the log's
// committed batches to deliver.
using broker_actor = caf::typed_actor<
  caf::replies_to<subscribe_atom, std::string, event_subscriber>::with<caf::ok_atom>,
  caf::reacts_to<unsubscribe_atom, std::string, event_subscriber>,
  caf::reacts_to<committed_atom, committed_batch>>;

// Whoever started (or resumed) an execution and wants to know how it goes:
// told once execution_start is durable (a new execution) and at the end.
using execution_observer = caf::typed_actor<
  caf::reacts_to<started_atom, std::string>,
  caf::reacts_to<finished_atom, execution_finished>>;

// What node actors report to: the outcome of their attempt, and the pieces
// of a reply as it streams.
using task_parent = caf::typed_actor<
  caf::reacts_to<node_done_atom, task_report_ptr>,
  caf::reacts_to<stream_atom, stream_piece_ptr>>;

// An execution actor: a task_parent, told to cancel, and its own timers and
// the answers of the log and the jq sandbox.
using execution_actor = task_parent::extend<
  caf::reacts_to<cancel_atom, std::string>,
  caf::reacts_to<appended_atom, append_outcome_ptr>,
  caf::reacts_to<retry_due_atom, runtime::task_key>,
  caf::reacts_to<jq_done_atom, std::uint64_t, sandbox::jq_reply>>;

} // namespace baley::actors
