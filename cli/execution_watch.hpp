// Prints the committed events of a set of executions as NDJSON while they run,
// cancels them on SIGINT/SIGTERM, and turns how they ended into an exit code.
#pragma once

#include "actors/engine.hpp"

#include <caf/scoped_actor.hpp>

#include <map>
#include <string>

namespace baley::cli {

// Subscribes `self` to every committed event. Call before starting anything.
status subscribe_all(caf::scoped_actor& self, const actors::broker_actor& broker);

// Runs until every execution in `executions` (id -> actor) wrote its terminal
// event. Exit code: 0 all completed, 1 any failed, else 3 any cancelled.
// A null actor is an execution that already ended (its terminal event is on
// its way to `self`).
int watch_executions(caf::scoped_actor& self,
                     const std::map<std::string, actors::execution_actor>& executions);

} // namespace baley::cli
