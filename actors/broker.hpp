// The broker: delivers committed events to subscribers of their stream (or of
// "$all"), in commit order, as (event_atom, shared_event) messages.
#pragma once

#include "actors/messages.hpp"

#include <caf/actor.hpp>
#include <caf/actor_system.hpp>

namespace baley::actors {

// Handles (subscribe_atom, stream, subscriber) -> ok, (unsubscribe_atom,
// stream, subscriber) and (committed_atom, committed_batch) from the log.
caf::actor spawn_broker(caf::actor_system& system);

// Makes the log tell `broker` about every committed batch, from the writer
// thread. Call once, before the first append.
void connect_log_to_broker(storage::event_log& log, caf::actor broker);

} // namespace baley::actors
