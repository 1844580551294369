// The broker: delivers committed events to subscribers of their stream (or of
// all_streams), in commit order, as (event_atom, shared_event) messages.
// Subscribers that terminate are dropped through their down message.
#pragma once

#include "actors/delivery.hpp"
#include "actors/protocols.hpp"

#include <caf/actor_system.hpp>

namespace baley::actors {

broker_actor spawn_broker(caf::actor_system& system);

// Makes the log tell `broker` about every committed batch, from the writer
// thread, through `via`. Call once, before the first append.
void connect_log_to_broker(storage::event_log& log, broker_actor broker,
                           std::shared_ptr<delivery> via);

} // namespace baley::actors
