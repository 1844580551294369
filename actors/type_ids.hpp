// Every atom and message type of the actors, in one CAF type-ID block (CAF
// 0.17.6's back-port of the 0.18 scheme): atoms as `_v` constants, payloads
// with their IDs. http/ appends a block of its own after this one.
#pragma once

#include "actors/llm_transport.hpp"
#include "actors/messages.hpp"

#include <caf/type_id.hpp>

namespace baley::actors {

// A finished transfer, as the HTTP provider actor receives it.
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, transfer_result& x) {
  bool failed = x.failure.has_value();
  int failure = x.failure ? static_cast<int>(*x.failure) : 0;
  return f(caf::meta::type_name("transfer_result"), x.status, failed, failure, x.detail,
           x.retry_after, x.aborted, caf::meta::load_callback([&]() -> caf::error {
             x.failure = failed ? std::optional(static_cast<runtime::transport_error>(failure))
                                : std::nullopt;
             return caf::none;
           }));
}

} // namespace baley::actors

CAF_BEGIN_TYPE_ID_BLOCK(baley_actors, caf::first_custom_type_id)

  // Requests.
  CAF_ADD_ATOM(baley_actors, baley::actors, subscribe_atom, "subscribe")
  CAF_ADD_ATOM(baley_actors, baley::actors, unsubscribe_atom, "unsubscr")
  CAF_ADD_ATOM(baley_actors, baley::actors, cancel_atom, "cancel")
  CAF_ADD_ATOM(baley_actors, baley::actors, run_atom, "run")
  CAF_ADD_ATOM(baley_actors, baley::actors, retry_due_atom, "retrydue")
  CAF_ADD_ATOM(baley_actors, baley::actors, token_atom, "token")

  // Facts.
  CAF_ADD_ATOM(baley_actors, baley::actors, committed_atom, "committed")
  CAF_ADD_ATOM(baley_actors, baley::actors, appended_atom, "appended")
  CAF_ADD_ATOM(baley_actors, baley::actors, event_atom, "event")
  CAF_ADD_ATOM(baley_actors, baley::actors, node_done_atom, "nodedone")
  CAF_ADD_ATOM(baley_actors, baley::actors, stream_atom, "nodestream")
  CAF_ADD_ATOM(baley_actors, baley::actors, started_atom, "started")
  CAF_ADD_ATOM(baley_actors, baley::actors, finished_atom, "finished")
  CAF_ADD_ATOM(baley_actors, baley::actors, jq_done_atom, "jqdone")
  CAF_ADD_ATOM(baley_actors, baley::actors, http_status_atom, "httpstatus")
  CAF_ADD_ATOM(baley_actors, baley::actors, http_data_atom, "httpdata")
  CAF_ADD_ATOM(baley_actors, baley::actors, http_done_atom, "httpdone")

  // Payloads.
  CAF_ADD_TYPE_ID(baley_actors, (baley::actors::shared_event))
  CAF_ADD_TYPE_ID(baley_actors, (baley::actors::committed_batch))
  CAF_ADD_TYPE_ID(baley_actors, (baley::actors::append_outcome_ptr))
  CAF_ADD_TYPE_ID(baley_actors, (baley::actors::task_report_ptr))
  CAF_ADD_TYPE_ID(baley_actors, (baley::actors::stream_piece_ptr))
  CAF_ADD_TYPE_ID(baley_actors, (baley::actors::execution_finished))
  CAF_ADD_TYPE_ID(baley_actors, (baley::actors::transfer_result))
  CAF_ADD_TYPE_ID(baley_actors, (baley::runtime::task_key))
  CAF_ADD_TYPE_ID(baley_actors, (baley::sandbox::jq_reply))

CAF_END_TYPE_ID_BLOCK(baley_actors)
