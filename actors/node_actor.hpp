// Node actors: one per node execution (one attempt of one node or loop
// iteration). Each does its kind's work and reports a node_report to the
// execution actor that spawned it, then quits. Only the execution actor
// writes the execution's stream.
#pragma once

#include "actors/messages.hpp"
#include "runtime/flow/flow.hpp"

#include <caf/actor.hpp>
#include <caf/event_based_actor.hpp>

namespace baley::actors {

enum class node_work {
  run,          // the node's own work (run_node)
  expand_loop,  // a loop's items from data.over
  loop_body,    // one loop iteration
};

struct node_task {
  std::shared_ptr<const runtime::compiled_flow> flow;  // keeps `node` alive
  const runtime::compiled_node* node = nullptr;
  node_work work = node_work::run;
  std::optional<std::uint32_t> iteration;
  std::uint32_t attempt = 1;
  boost::json::value input;
  std::optional<unix_ms> deadline;  // delay nodes
};

// Spawned by the execution actor with spawn<caf::monitored>.
caf::behavior node_actor(caf::event_based_actor* self, caf::actor parent,
                         std::shared_ptr<const node_task> task);

} // namespace baley::actors
