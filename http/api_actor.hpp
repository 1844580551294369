// The API actor: the one place requests become actions. It owns its parts
// (the catalog and its writes, the live executions and what waits on them,
// idempotency keys, webhook limits, the reader threads and the parked
// continuations) and gives each route object only the parts it uses; it
// dispatches each routed request to the route that serves it, and hears from
// the executions it started or resumed.
#pragma once

#include "actors/engine.hpp"
#include "actors/recovery.hpp"
#include "http/idempotency_index.hpp"
#include "http/metrics.hpp"
#include "http/type_ids.hpp"
#include "runtime/catalog/catalog.hpp"
#include "storage/secret_box.hpp"

#include <caf/actor_system.hpp>
#include <caf/typed_actor.hpp>

namespace baley::http {

using api_actor = caf::typed_actor<caf::reacts_to<api_atom, api_call_ptr>,
                                   caf::reacts_to<resume_atom, std::uint64_t>>::
  extend_with<actors::execution_observer>;

// What the API actor starts with.
struct api_init {
  actors::engine& engine;
  metrics& counters;
  storage::secret_box secrets;
  runtime::catalog catalog;
  idempotency_index idempotency;  // loaded from its projection
  // Spawned by the API actor itself, so that each is registered before any
  // message of it (or any request about it) can arrive.
  std::vector<actors::resumable_execution> resumable;
  std::size_t readers = 2;  // threads for log reads
};

api_actor spawn_api(caf::actor_system& system, std::shared_ptr<api_init> init);

} // namespace baley::http
