// The execution actor: one per live execution. It runs the execution's
// decision loop (runtime/execution/execution_loop.hpp) over the log: decide,
// evaluate inputMappings in the jq sandbox, append, commit, start node actors
// and timers for what committed, decide again. It changes its state only by
// applying committed events, and it is the only writer of its stream.
#pragma once

#include "actors/breaker_board.hpp"
#include "actors/usage_meter.hpp"
#include "actors/connection_directory.hpp"
#include "actors/llm_transport.hpp"
#include "actors/clock.hpp"
#include "actors/delivery.hpp"
#include "actors/protocols.hpp"
#include "runtime/execution/execution_state.hpp"
#include "runtime/flow/flow.hpp"
#include "runtime/llm/price_table.hpp"
#include "actors/pattern_matcher.hpp"
#include "sandbox/jq_pool.hpp"

#include <caf/actor.hpp>
#include <caf/actor_system.hpp>

#include <memory>
#include <optional>

namespace baley::actors {

struct execution_setup {
  std::string execution_id;
  std::shared_ptr<const runtime::compiled_flow> flow;
  std::shared_ptr<storage::event_log> log;
  // Folded from the stream when recovering; empty for a new execution.
  runtime::execution_state state;
  // A new execution: its first event, written by the actor, and projection
  // entries committed with it (an Idempotency-Key).
  std::optional<runtime::execution_start> start;
  // The LLM connections ai-blocks use (may be null: no ai-block can run).
  std::shared_ptr<const connection_directory> connections;
  // Prices per model, for node_complete.cost (may be null: cost 0).
  std::shared_ptr<const runtime::price_table> prices;
  // Outbound HTTP for the ai-blocks' providers (may be null: simulated only).
  std::shared_ptr<llm_transport> transport;
  std::shared_ptr<breaker_board> breakers;  // may be null: no breakers
  std::shared_ptr<usage_meter> usage;       // may be null: not counted
  // Told of every decision once it is committed (may be null: the
  // decisions stay queued for the next server to match).
  std::shared_ptr<pattern_matcher> patterns;
  // The jq sandbox every jq evaluation of this execution runs in.
  std::shared_ptr<sandbox::jq_pool> jq;
  bool debug = false;                       // provider errors carry raw bodies
  // Time for events, deadlines and ids; how other threads' answers (the
  // log's, the sandbox's, the transport's) come back as messages.
  std::shared_ptr<const clock> time = wall_clock();
  std::shared_ptr<delivery> via = std::make_shared<direct_delivery>();
  // Optional: told (started_atom, execution_id) once execution_start is
  // committed (a new execution), and (finished_atom, execution_finished) at
  // the end.
  execution_observer observer;
};

execution_actor spawn_execution(caf::actor_system& system, execution_setup setup);

} // namespace baley::actors
