// Node actors: one per node execution (one attempt of one node or loop
// iteration). Each runs its task's work (runtime/execution/task_work.hpp),
// whose jq evaluations go to the jq sandbox, and reports the outcome to the
// execution actor that spawned it, then quits. Only the execution actor
// writes the execution's stream.
#pragma once

#include "actors/messages.hpp"
#include "runtime/flow/flow.hpp"
#include "sandbox/jq_pool.hpp"

#include <caf/actor.hpp>
#include <caf/event_based_actor.hpp>

namespace baley::actors {

struct node_task {
  std::shared_ptr<const runtime::compiled_flow> flow;  // keeps `node` alive
  const runtime::compiled_node* node = nullptr;
  runtime::task_key key;
  std::uint32_t attempt = 1;
  boost::json::value input;
  std::optional<unix_ms> deadline;  // delay nodes
};

// Spawned by the execution actor `spawner` (monitored); `parent` gets the
// report. A delay waits for its deadline first (a timer, not a thread).
// However the actor ends, a jq evaluation it started is stopped.
caf::actor spawn_node(caf::local_actor* spawner, caf::actor parent,
                      std::shared_ptr<const node_task> task,
                      std::shared_ptr<sandbox::jq_pool> jq);

// A jq evaluation of `evaluation` on the sandbox; the reply arrives at `to`
// as (jq_done_atom, tag, jq_reply). Returns the job id, for cancel().
std::uint64_t submit_evaluation(sandbox::jq_pool& jq, const runtime::jq_evaluation& evaluation,
                                caf::actor to, std::uint64_t tag);

} // namespace baley::actors
