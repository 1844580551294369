// The node actor: runs the pure work of runtime/node_work.hpp, or waits for a
// delay's deadline first (so a delay costs no thread while it waits).
#include "actors/node_actor.hpp"

#include "actors/clock.hpp"

#include <caf/all.hpp>

namespace baley::actors {
namespace {

node_report work_on(const node_task& task) {
  node_report report{task.node->id, task.iteration, task.attempt, {}};
  switch (task.work) {
    case node_work::run: {
      auto r = runtime::run_node(*task.node, task.input);
      if (auto* out = std::get_if<runtime::node_output>(&r))
        report.outcome = std::move(*out);
      else
        report.outcome = std::get<runtime::node_failure>(std::move(r));
      break;
    }
    case node_work::expand_loop: {
      auto r = runtime::expand_loop(*task.node, task.input);
      if (auto* items = std::get_if<std::vector<boost::json::value>>(&r))
        report.outcome = std::move(*items);
      else
        report.outcome = std::get<runtime::node_failure>(std::move(r));
      break;
    }
    case node_work::loop_body: {
      auto r = runtime::run_loop_body(*task.node->body, task.input);
      if (auto* out = std::get_if<runtime::node_output>(&r))
        report.outcome = std::move(*out);
      else
        report.outcome = std::get<runtime::node_failure>(std::move(r));
      break;
    }
  }
  return report;
}

} // namespace

caf::behavior node_actor(caf::event_based_actor* self, caf::actor parent,
                         std::shared_ptr<const node_task> task) {
  auto wait = std::chrono::milliseconds(0);
  if (task->deadline)
    wait = std::chrono::milliseconds(std::max<unix_ms>(0, *task->deadline - now_ms()));
  if (wait.count() > 0)
    self->delayed_send(self, wait, run_atom::value);
  else
    self->send(self, run_atom::value);
  return {
    [self, parent, task](run_atom) {
      auto report = std::make_shared<const node_report>(work_on(*task));
      self->send(parent, node_done_atom::value, node_report_ptr(std::move(report)));
      self->quit();
    },
  };
}

} // namespace baley::actors
