// The messages actors exchange: atoms for requests and facts, and the payload
// types they carry. Payloads travel as shared pointers to immutable values, so
// a committed event is copied once from the writer and then only shared.
#pragma once

#include "runtime/execution/execution_state.hpp"
#include "runtime/execution/execution_loop.hpp"
#include "sandbox/jq_frames.hpp"
#include "storage/event_log.hpp"

#include <caf/allowed_unsafe_message_type.hpp>
#include <caf/atom.hpp>
#include <caf/meta/load_callback.hpp>
#include <caf/meta/type_name.hpp>
#include <caf/error.hpp>
#include <caf/none.hpp>

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
using jq_done_atom = caf::atom_constant<caf::atom("jqdone")>;
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

// What a node actor reports for one attempt of one task, and the pieces an
// ai-block streams meanwhile (runtime/execution/execution_loop.hpp).
using task_report_ptr = std::shared_ptr<const runtime::task_report>;
using stream_piece_ptr = std::shared_ptr<const runtime::stream_piece>;

// How an execution ended, for whoever waits on it, with its final state.
struct execution_finished {
  std::string execution_id;
  std::string status;  // completed | failed | cancelled | log_failed
  std::shared_ptr<const runtime::execution_state> state;
};

} // namespace baley::actors

// Value messages CAF can inspect (and so copy, compare and print).
namespace baley::runtime {
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, task_key& x) {
  bool has_iteration = x.iteration.has_value();
  std::uint32_t iteration = x.iteration.value_or(0);
  return f(caf::meta::type_name("task_key"), x.node_id, has_iteration, iteration,
           caf::meta::load_callback([&]() -> caf::error {
             x.iteration = has_iteration ? std::optional<std::uint32_t>(iteration)
                                         : std::nullopt;
             return caf::none;
           }));
}
} // namespace baley::runtime

namespace baley::sandbox {
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, jq_reply& x) {
  return f(caf::meta::type_name("jq_reply"), x.ok, x.code, x.text);
}
} // namespace baley::sandbox

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(baley::actors::shared_event)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(baley::actors::committed_batch)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(baley::actors::append_outcome_ptr)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(baley::actors::task_report_ptr)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(baley::actors::stream_piece_ptr)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(baley::actors::execution_finished)
