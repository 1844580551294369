// The ai-block node actor: one attempt of an ai-block. It streams the reply
// of its connection's provider to the execution actor as it arrives
// (stream_report: each becomes a node_stream event), then reports the output
// (text, or the parsed JSON validated against outputSchema) with model,
// tokens, time to first token and tokens per second.
#pragma once

#include "actors/breaker_board.hpp"
#include "actors/connection_directory.hpp"
#include "actors/llm_transport.hpp"
#include "actors/node_actor.hpp"
#include "runtime/llm/price_table.hpp"

namespace baley::actors {

struct ai_task {
  std::shared_ptr<const node_task> task;
  std::shared_ptr<const connection_directory> connections;
  std::shared_ptr<const runtime::price_table> prices;
  std::shared_ptr<llm_transport> transport;
  std::shared_ptr<breaker_board> breakers;
  std::string model;
  std::uint32_t max_attempts = 1;  // for "attempt n of m" in errors
  bool debug = false;              // errors carry the provider's raw body  // the model of this attempt (a fallback model or the first)
};

// Spawned by the execution actor (monitored): `parent` gets its reports.
caf::actor spawn_ai_node(caf::event_based_actor* spawner, caf::actor parent, ai_task job);

} // namespace baley::actors
