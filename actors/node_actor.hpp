// Node actors: one per node execution (one attempt of one node or loop
// iteration). Each runs its task's work (runtime/execution/task_work.hpp),
// whose jq evaluations go to the jq sandbox, and reports the outcome to the
// execution actor that spawned it, then quits. Only the execution actor
// writes the execution's stream.
#pragma once

#include "actors/clock.hpp"
#include "actors/delivery.hpp"
#include "actors/protocols.hpp"
#include "runtime/flow/flow.hpp"
#include "sandbox/jq_pool.hpp"

#include <caf/local_actor.hpp>

namespace baley::actors {

struct node_task {
  std::shared_ptr<const runtime::compiled_flow> flow;  // keeps `node` alive
  const runtime::compiled_node* node = nullptr;
  runtime::task_key key;
  std::uint32_t attempt = 1;
  boost::json::value input;
  std::optional<unix_ms> deadline;  // delay nodes
  std::vector<runtime::tool_step> tool_steps;  // ai-blocks: the calls so far
};

// What a node actor needs besides its task.
struct node_context {
  task_parent parent;                     // gets the report
  std::shared_ptr<sandbox::jq_pool> jq;
  std::shared_ptr<delivery> via;          // brings the sandbox's replies
  std::shared_ptr<const clock> time;
  bool debug = false;  // failures carry {"detail","stackTrace"} (serve --debug)
};

using node_actor = caf::typed_actor<
  caf::reacts_to<run_atom>,
  caf::reacts_to<jq_done_atom, std::uint64_t, sandbox::jq_reply>>;

// Spawned monitored by `spawner`. A delay waits for its deadline first (a
// timer, not a thread). However the actor ends, a jq evaluation it started
// is stopped.
node_actor spawn_node(caf::local_actor* spawner, std::shared_ptr<const node_task> task,
                      node_context context);

// A jq evaluation of `evaluation` on the sandbox; the reply arrives at `to`
// as (jq_done_atom, tag, jq_reply) through `via`. Returns the job id, for
// cancel().
std::uint64_t submit_evaluation(sandbox::jq_pool& jq, const runtime::jq_evaluation& evaluation,
                                caf::actor to, std::uint64_t tag,
                                std::shared_ptr<delivery> via);

} // namespace baley::actors
