// The execution actor; see execution_actor.hpp. While an append or the
// inputMappings of a decision are in flight, inputs wait in the loop, so that
// every decision is taken on a state that holds every committed event.
#include "actors/execution_actor.hpp"

#include "actors/ai_node_actor.hpp"
#include "actors/clock.hpp"
#include "actors/node_actor.hpp"
#include "runtime/execution/test_run.hpp"
#include "runtime/flow/block_resolution.hpp"
#include "runtime/execution/supervision.hpp"
#include "runtime/stream_names.hpp"
#include "storage/execution_projections.hpp"

#include <caf/all.hpp>

#include <map>

namespace baley::actors {
namespace json = boost::json;
using namespace runtime;

namespace {

// A decision whose inputMappings are being evaluated.
struct mapping_round {
  std::uint64_t round = 0;  // tags the replies of this round
  decision pending;
  std::vector<std::optional<jq_outputs>> outputs;
  std::vector<std::uint64_t> jobs;
  std::size_t left = 0;
};

struct execution_actor_state {
  execution_setup setup;
  std::optional<execution_loop> loop;
  bool in_flight = false;
  std::vector<execution_event> in_flight_events;
  std::optional<mapping_round> mapping;
  std::uint64_t rounds = 0;
  std::map<task_key, caf::actor_addr> workers;
  std::optional<id_source> ids;
};

using self_ptr = execution_actor::stateful_pointer<execution_actor_state>;

unix_ms now(self_ptr self) {
  return self->state.setup.time->now();
}

loop_context context_for(self_ptr self) {
  return loop_context{now(self), [self] { return self->state.ids->next_id(); },
                      [self] { return self->state.ids->next_unit(); }};
}

// What the flow says of its nodes, for the projections of an append.
storage::execution_facts facts_of(const compiled_flow& flow) {
  const auto* tested = flow.find(tested_node_id);
  return {.stored_block_of = [&flow](const std::string& node_id) -> std::optional<std::string> {
            const auto* node = flow.find(node_id);
            return node ? stored_block_of_node(node->data) : std::nullopt;
          },
          .tested_block_is_ai = tested && tested->kind() == node_kind::ai_block};
}

void append(self_ptr self, std::vector<execution_event> events) {
  auto& st = self->state;
  const auto& exec = st.loop->state();
  storage::append_request request;
  request.stream = names::execution_stream(st.setup.execution_id);
  request.expected_next = exec.next_index;
  request.events.reserve(events.size());
  for (const auto& e : events)
    request.events.push_back(serialize_event(e));
  storage::execution_puts(st.setup.execution_id, exec, events, facts_of(*st.loop->flow_ptr()),
                          request.projections);
  st.in_flight = true;
  st.in_flight_events = std::move(events);
  std::vector<std::string> decisions;
  for (const auto& put : request.projections)
    if (put.family == storage::families::pattern_queue && !put.erase)
      decisions.push_back(put.key);
  st.setup.log->append_async(
    std::move(request), [me = execution_actor(self), via = st.setup.via,
                         patterns = st.setup.patterns, decisions = std::move(decisions)](
                          result<std::vector<storage::committed_event>> r) mutable {
      if (r && patterns && !decisions.empty())
        patterns->committed(std::move(decisions));
      auto outcome = std::make_shared<const append_outcome>(append_outcome{std::move(r)});
      via->send(me, appended_atom_v, append_outcome_ptr(std::move(outcome)));
    });
}

// Evaluates the inputMappings of `d` in the sandbox; the decision is appended
// once every mapping has answered (map_replied).
void map_inputs(self_ptr self, decision d) {
  auto& st = self->state;
  mapping_round round{++st.rounds, std::move(d), {}, {}, 0};
  round.outputs.resize(round.pending.mappings.size());
  round.left = round.pending.mappings.size();
  caf::actor me = caf::actor_cast<caf::actor>(self);
  for (std::size_t i = 0; i < round.pending.mappings.size(); ++i)
    round.jobs.push_back(submit_evaluation(*st.setup.jq, round.pending.mappings[i].evaluation,
                                           me, (round.round << 16) | i, st.setup.via));
  st.mapping = std::move(round);
}

void pump(self_ptr self) {
  auto& st = self->state;
  if (st.in_flight || st.mapping || is_terminal(st.loop->state().status))
    return;
  auto ctx = context_for(self);
  auto d = st.loop->decide(ctx);
  if (d.empty())
    return;
  if (!d.mappings.empty())
    return map_inputs(self, std::move(d));
  append(self, std::move(d.events));
}

void map_replied(self_ptr self, std::uint64_t tag, const sandbox::jq_reply& reply) {
  auto& st = self->state;
  if (!st.mapping || st.mapping->round != tag >> 16)
    return;  // a round dropped by a cancel
  auto& round = *st.mapping;
  auto i = static_cast<std::size_t>(tag & 0xFFFF);
  if (i >= round.outputs.size() || round.outputs[i])
    return;
  round.outputs[i] = sandbox::outputs_of(reply);
  if (--round.left > 0)
    return;
  std::vector<jq_outputs> outputs;
  for (auto& o : round.outputs)
    outputs.push_back(std::move(*o));
  auto d = std::move(round.pending);
  st.mapping.reset();
  settle_mappings(d, outputs);
  append(self, std::move(d.events));
}

// The ai-block a task runs, if any: the node's own, its loop body's (an
// iteration) or its router's classifier.
const ai_settings* ai_of(const compiled_node& node, const task_key& key) {
  if (key.iteration) {
    const auto* loop = node.settings_of<loop_settings>();
    return loop ? loop->body.ai.get() : nullptr;
  }
  if (const auto* router = node.settings_of<router_settings>())
    return router->classifier.get();
  return node.settings_of<ai_settings>();
}

void dispatch(self_ptr self, const task_key& key) {
  auto& st = self->state;
  const auto& flow = st.loop->flow_ptr();
  const auto* node = flow->find(key.node_id);
  const auto& task = *st.loop->state().task(key.node_id, key.iteration);
  auto t = std::make_shared<const node_task>(node_task{.flow = flow,
                                                       .node = node,
                                                       .key = key,
                                                       .attempt = task.attempts,
                                                       .input = task.input,
                                                       .deadline = task.deadline,
                                                       .tool_steps = task.tool_steps});
  node_context context{.parent = execution_actor(self),
                       .jq = st.setup.jq,
                       .via = st.setup.via,
                       .time = st.setup.time,
                       .debug = st.setup.debug};
  if (const auto* ai = ai_of(*node, key)) {
    auto models = ai->models();
    // A loop iteration has no fallback models: its retries are its body's.
    auto model = key.iteration ? models.front() : models[current_model_index(models, task)];
    const auto& retry = key.iteration ? node->settings_of<loop_settings>()->body.retry : node->retry;
    st.workers[key] = spawn_ai_node(self,
                                    ai_task{.task = std::move(t),
                                            .settings = ai,
                                            .connections = st.setup.connections,
                                            .prices = st.setup.prices,
                                            .transport = st.setup.transport,
                                            .breakers = st.setup.breakers,
                                            .usage = st.setup.usage,
                                            .model = std::move(model),
                                            .max_attempts = retry.max_retries + 1,
                                            .debug = st.setup.debug},
                                    std::move(context));
    return;
  }
  st.workers[key] = spawn_node(self, std::move(t), std::move(context)).address();
}

void take_effects(self_ptr self, const std::vector<loop_effect>& effects) {
  for (const auto& effect : effects) {
    if (auto* start = std::get_if<start_work>(&effect))
      dispatch(self, start->task);
    else if (auto* retry = std::get_if<arm_retry>(&effect))
      self->delayed_send(self, std::chrono::milliseconds(retry->delay_ms), retry_due_atom_v,
                         retry->task);
  }
}

void stop_workers(self_ptr self) {
  auto& st = self->state;
  for (auto& [key, worker] : st.workers)
    self->send_exit(worker, caf::exit_reason::user_shutdown);
  st.workers.clear();
  if (st.mapping)
    for (auto job : st.mapping->jobs)
      st.setup.jq->cancel(job);
  st.mapping.reset();
}

void finish(self_ptr self, finish_reason reason) {
  auto& st = self->state;
  stop_workers(self);
  if (st.setup.observer)
    self->send(st.setup.observer, finished_atom_v,
               execution_finished{st.setup.execution_id, reason,
                                  std::make_shared<const execution_state>(st.loop->state())});
  self->quit();
}

void on_appended(self_ptr self, const append_outcome& outcome) {
  auto& st = self->state;
  st.in_flight = false;
  if (!outcome.events) {
    finish(self, finish_reason::log_failed);
    return;
  }
  auto events = std::move(st.in_flight_events);
  if (st.setup.usage)
    for (const auto& e : events)
      if (const auto* failed = std::get_if<node_error>(&e.payload))
        st.setup.usage->node_failed(st.loop->state().flow_id, failed->node_id, failed->code);
  auto effects = st.loop->commit(events);
  if (st.setup.observer && std::holds_alternative<execution_start>(events.front().payload))
    self->send(st.setup.observer, started_atom_v, st.setup.execution_id);
  if (is_terminal(st.loop->state().status)) {
    finish(self, finish_reason_of(st.loop->state().status));
    return;
  }
  take_effects(self, effects);
  pump(self);
}

// A cancel while inputMappings are evaluated drops that decision: the cancel
// is decided at once on the committed state.
void on_cancel(self_ptr self, std::string reason) {
  auto& st = self->state;
  st.loop->receive(cancel_request{std::move(reason)});
  if (st.mapping) {
    for (auto job : st.mapping->jobs)
      st.setup.jq->cancel(job);
    st.mapping.reset();
  }
  pump(self);
}

void on_worker_down(self_ptr self, const caf::down_msg& msg) {
  auto& st = self->state;
  for (auto it = st.workers.begin(); it != st.workers.end(); ++it) {
    if (it->second != msg.source)
      continue;
    auto key = it->first;
    st.workers.erase(it);
    if (msg.reason && msg.reason != caf::exit_reason::normal) {
      const auto* task = st.loop->state().task(key.node_id, key.iteration);
      st.loop->receive(task_report{
        .task = key,
        .attempt = task ? task->attempts : 0,
        .outcome = node_failure{.message = "the node actor stopped unexpectedly",
                                .retryable = true}});
      pump(self);
    }
    return;
  }
}

execution_actor::behavior_type execution(self_ptr self, execution_setup setup) {
  auto& st = self->state;
  st.loop.emplace(setup.flow, std::move(setup.state));
  st.setup = std::move(setup);
  st.ids.emplace(st.setup.time);
  // Told to stop (server shutdown): stop the node actors too. The execution
  // stays unfinished in the log and is resumed at the next start.
  self->set_exit_handler([self](caf::exit_msg& msg) {
    stop_workers(self);
    self->quit(msg.reason);
  });
  self->set_down_handler([self](caf::down_msg& msg) { on_worker_down(self, msg); });
  if (st.setup.start) {
    append(self, {execution_event{now(self), *st.setup.start}});
  } else {
    take_effects(self, st.loop->resume(now(self)));
    pump(self);
  }
  return {
    [self](node_done_atom, const task_report_ptr& report) {
      self->state.workers.erase(report->task);
      self->state.loop->receive(*report);
      pump(self);
    },
    [self](stream_atom, const stream_piece_ptr& piece) {
      self->state.loop->receive(*piece);
      pump(self);
    },
    [self](cancel_atom, std::string& reason) { on_cancel(self, std::move(reason)); },
    [self](appended_atom, const append_outcome_ptr& outcome) { on_appended(self, *outcome); },
    [self](retry_due_atom, const task_key& task) {
      self->state.loop->receive(restart_due{task, true});
      pump(self);
    },
    [self](jq_done_atom, std::uint64_t tag, const sandbox::jq_reply& reply) {
      map_replied(self, tag, reply);
    },
  };
}

} // namespace

execution_actor spawn_execution(caf::actor_system& system, execution_setup setup) {
  return system.spawn(execution, std::move(setup));
}

} // namespace baley::actors
