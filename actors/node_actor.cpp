// The node actor: steps through its task's work, one sandboxed jq evaluation
// at a time, or waits for a delay's deadline first.
#include "actors/node_actor.hpp"

#include "actors/clock.hpp"

#include <caf/all.hpp>

#include <boost/json/serialize.hpp>

namespace baley::actors {
namespace {

struct node_state {
  std::optional<runtime::task_work> work;
  // The evaluation in flight (0: none); shared with the exit hook.
  std::shared_ptr<std::uint64_t> job = std::make_shared<std::uint64_t>(0);
};

using node_self = caf::stateful_actor<node_state>*;

void report(node_self self, const caf::actor& parent, const node_task& task,
            runtime::task_outcome outcome) {
  auto r = std::make_shared<const runtime::task_report>(
    runtime::task_report{task.key, task.attempt, std::move(outcome)});
  self->send(parent, node_done_atom::value, task_report_ptr(std::move(r)));
  self->quit();
}

// Runs the next evaluation, or reports when the work is done.
void step(node_self self, const caf::actor& parent, const node_task& task,
          sandbox::jq_pool& jq) {
  auto& work = *self->state.work;
  auto evaluation = work.next();
  if (!evaluation)
    return report(self, parent, task, *work.outcome());
  *self->state.job = submit_evaluation(jq, *evaluation, caf::actor_cast<caf::actor>(self), 0);
}

} // namespace

std::uint64_t submit_evaluation(sandbox::jq_pool& jq, const runtime::jq_evaluation& evaluation,
                                caf::actor to, std::uint64_t tag) {
  sandbox::jq_job job{evaluation.program->code(), boost::json::serialize(*evaluation.input),
                      std::nullopt};
  if (evaluation.timeout_ms)
    job.timeout = std::chrono::milliseconds(*evaluation.timeout_ms);
  return jq.submit(std::move(job), [to = std::move(to), tag](sandbox::jq_reply reply) {
    caf::anon_send(to, jq_done_atom::value, tag, std::move(reply));
  });
}

namespace {

caf::behavior node_behavior(node_self self, caf::actor parent,
                            std::shared_ptr<const node_task> task,
                            std::shared_ptr<sandbox::jq_pool> jq) {
  self->state.work.emplace(*task->node, runtime::work_of(*task->node, task->key.iteration),
                           task->input);
  self->attach_functor([jq, job = self->state.job] {
    if (*job)
      jq->cancel(*job);
  });
  auto wait = std::chrono::milliseconds(0);
  if (task->deadline)
    wait = std::chrono::milliseconds(std::max<unix_ms>(0, *task->deadline - now_ms()));
  if (wait.count() > 0)
    self->delayed_send(self, wait, run_atom::value);
  else
    self->send(self, run_atom::value);
  return {
    [self, parent, task, jq](run_atom) { step(self, parent, *task, *jq); },
    [self, parent, task, jq](jq_done_atom, std::uint64_t, const sandbox::jq_reply& reply) {
      *self->state.job = 0;
      self->state.work->take(sandbox::outputs_of(reply));
      step(self, parent, *task, *jq);
    },
  };
}

} // namespace

caf::actor spawn_node(caf::local_actor* spawner, caf::actor parent,
                      std::shared_ptr<const node_task> task,
                      std::shared_ptr<sandbox::jq_pool> jq) {
  return spawner->spawn<caf::monitored>(node_behavior, std::move(parent), std::move(task),
                                        std::move(jq));
}

} // namespace baley::actors
