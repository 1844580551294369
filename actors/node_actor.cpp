// The node actor: steps through its task's work, one sandboxed jq evaluation
// at a time, or waits for a delay's deadline first.
#include "actors/node_actor.hpp"

#include "os/stack_trace.hpp"

#include <caf/all.hpp>

#include <boost/json/serialize.hpp>

namespace baley::actors {
namespace {

struct node_state {
  std::shared_ptr<const node_task> task;
  node_context context;
  std::optional<runtime::task_work> work;
  // The evaluation in flight (0: none); shared with the exit hook.
  std::shared_ptr<std::uint64_t> job = std::make_shared<std::uint64_t>(0);
};

using node_self = node_actor::stateful_pointer<node_state>;

void report(node_self self, runtime::task_outcome outcome) {
  if (auto* failure = std::get_if<runtime::node_failure>(&outcome); failure && self->state.context.debug)
    failure->debug = boost::json::object{{"detail", failure->code.empty() ? failure->message
                                                                          : failure->code + ": " + failure->message},
                                         {"stackTrace", os::current_stack_trace()}};
  auto& st = self->state;
  auto r = std::make_shared<const runtime::task_report>(
    runtime::task_report{st.task->key, st.task->attempt, std::move(outcome)});
  self->send(st.context.parent, node_done_atom_v, task_report_ptr(std::move(r)));
  self->quit();
}

// Runs the next evaluation, or reports when the work is done.
void step(node_self self) {
  auto& st = self->state;
  auto evaluation = st.work->next();
  if (!evaluation)
    return report(self, *st.work->outcome());
  *st.job = submit_evaluation(*st.context.jq, *evaluation, caf::actor_cast<caf::actor>(self), 0,
                              st.context.via);
}

node_actor::behavior_type node_behavior(node_self self, std::shared_ptr<const node_task> task,
                                        node_context context) {
  auto& st = self->state;
  st.task = std::move(task);
  st.context = std::move(context);
  st.work.emplace(*st.task->node, runtime::work_of(*st.task->node, st.task->key.iteration),
                  st.task->input);
  self->attach_functor([jq = st.context.jq, job = st.job] {
    if (*job)
      jq->cancel(*job);
  });
  auto wait = std::chrono::milliseconds(0);
  if (st.task->deadline)
    wait = std::chrono::milliseconds(
      std::max<unix_ms>(0, *st.task->deadline - st.context.time->now()));
  if (wait.count() > 0)
    self->delayed_send(self, wait, run_atom_v);
  else
    self->send(self, run_atom_v);
  return {
    [self](run_atom) { step(self); },
    [self](jq_done_atom, std::uint64_t, const sandbox::jq_reply& reply) {
      *self->state.job = 0;
      self->state.work->take(sandbox::outputs_of(reply));
      step(self);
    },
  };
}

} // namespace

std::uint64_t submit_evaluation(sandbox::jq_pool& jq, const runtime::jq_evaluation& evaluation,
                                caf::actor to, std::uint64_t tag,
                                std::shared_ptr<delivery> via) {
  sandbox::jq_job job{evaluation.program->code(), boost::json::serialize(*evaluation.input),
                      std::nullopt};
  if (evaluation.timeout_ms)
    job.timeout = std::chrono::milliseconds(*evaluation.timeout_ms);
  return jq.submit(std::move(job), [to = std::move(to), tag,
                                    via = std::move(via)](sandbox::jq_reply reply) {
    via->send(to, jq_done_atom_v, tag, std::move(reply));
  });
}

node_actor spawn_node(caf::local_actor* spawner, std::shared_ptr<const node_task> task,
                      node_context context) {
  return spawner->spawn<caf::monitored>(node_behavior, std::move(task), std::move(context));
}

} // namespace baley::actors
