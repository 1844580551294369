// The payloads actors exchange. Facts about committed events travel as shared
// pointers to immutable values, so a committed event is copied once from the
// writer and then only shared; these pointers never leave the process (CAF
// lets them through as local-only types). Small values are inspectable.
#pragma once

#include "runtime/execution/execution_loop.hpp"
#include "runtime/execution/execution_state.hpp"
#include "sandbox/jq_frames.hpp"
#include "storage/event_log.hpp"

#include <caf/allowed_unsafe_message_type.hpp>
#include <caf/error.hpp>
#include <caf/meta/load_callback.hpp>
#include <caf/meta/type_name.hpp>
#include <caf/none.hpp>

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace baley::actors {

// Subscribing to this stream name delivers every committed event.
inline constexpr std::string_view all_streams = "$all";

using shared_event = std::shared_ptr<const storage::committed_event>;
using committed_batch = std::shared_ptr<const std::vector<shared_event>>;

// The answer of the log to one append.
struct append_outcome {
  result<std::vector<storage::committed_event>> events;
};
using append_outcome_ptr = std::shared_ptr<const append_outcome>;

// What a node actor reports for one attempt of one task, and the pieces an
// ai-block streams meanwhile (runtime/execution/execution_loop.hpp).
using task_report_ptr = std::shared_ptr<const runtime::task_report>;
using stream_piece_ptr = std::shared_ptr<const runtime::stream_piece>;

// How an execution actor stopped: the execution's end, or the log failing
// under it (the execution stays unfinished in the log).
enum class finish_reason { completed, failed, cancelled, log_failed };

std::string_view finish_reason_name(finish_reason reason);
finish_reason finish_reason_of(runtime::execution_status terminal);

// How an execution ended, for whoever waits on it, with its final state.
struct execution_finished {
  std::string execution_id;
  finish_reason reason = finish_reason::completed;
  std::shared_ptr<const runtime::execution_state> state;
};

} // namespace baley::actors

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(baley::actors::shared_event)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(baley::actors::committed_batch)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(baley::actors::append_outcome_ptr)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(baley::actors::task_report_ptr)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(baley::actors::stream_piece_ptr)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(baley::actors::execution_finished)

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
