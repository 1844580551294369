// The ai-block node actor's spawn: picks the provider of the attempt's
// connection; see ai_node_actor.hpp.
#include "actors/ai_node_actor.hpp"

#include "actors/http_provider.hpp"
#include "actors/simulated_provider.hpp"

#include <caf/all.hpp>

namespace baley::actors {
namespace {

// Reports at once why the attempt cannot run.
using refusal_actor = caf::typed_actor<caf::reacts_to<run_atom>>;

refusal_actor::behavior_type refusal(refusal_actor::pointer self, task_parent parent,
                                     runtime::task_report report) {
  self->send(self, run_atom_v);
  return {[self, parent, report](run_atom) {
    self->send(parent, node_done_atom_v,
               task_report_ptr(std::make_shared<const runtime::task_report>(report)));
    self->quit();
  }};
}

caf::actor_addr refuse(caf::local_actor* spawner, const node_context& context,
                       const node_task& task, std::string why) {
  auto actor = spawner->spawn<caf::monitored>(
    refusal, context.parent,
    runtime::task_report{task.key, task.attempt, runtime::node_failure{.message = std::move(why)}});
  return actor.address();
}

} // namespace

caf::actor_addr spawn_ai_node(caf::local_actor* spawner, ai_task job, node_context context) {
  const auto& task = *job.task;
  const auto* ai = job.settings;
  if (!ai)
    return refuse(spawner, context, task, "node '" + task.node->id + "' runs no ai-block");
  const auto& settings = *ai;
  auto connection = job.connections ? job.connections->find(settings.connection_id)
                                    : std::nullopt;
  if (!connection)
    return refuse(spawner, context, task, "connection '" + settings.connection_id + "' not found");
  if (connection->kind == runtime::provider_kind::simulated)
    return spawn_simulated_provider(spawner, ai_attempt(std::move(job), std::move(context),
                                                        std::move(*connection)))
      .address();
  if (!job.transport)
    return refuse(spawner, context, task,
                  "provider '" + std::string(runtime::provider_kind_name(connection->kind))
                    + "' (connection '" + connection->name
                    + "') needs the HTTP transport, which this process does not run");
  auto via = context.via;
  return spawn_http_provider(spawner,
                             ai_attempt(std::move(job), std::move(context), std::move(*connection)),
                             std::move(via))
    .address();
}

} // namespace baley::actors
