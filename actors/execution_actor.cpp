// The execution actor; see execution_actor.hpp. Inputs (node reports, retry
// timers, cancel) wait in an inbox while an append is in flight, so that every
// decision is taken on a state that holds every committed event.
#include "actors/execution_actor.hpp"

#include "actors/clock.hpp"
#include "actors/ai_node_actor.hpp"
#include "actors/node_actor.hpp"
#include "runtime/execution/planner.hpp"
#include "runtime/execution/supervision.hpp"
#include "runtime/stream_names.hpp"
#include "runtime/time_format.hpp"

#include <caf/all.hpp>

#include <boost/json/serialize.hpp>

#include <deque>
#include <map>

namespace baley::actors {
namespace json = boost::json;
using namespace runtime;

namespace {

constexpr std::int64_t no_iteration = -1;

struct task_key {
  std::string node_id;
  std::optional<std::uint32_t> iteration;
  bool operator<(const task_key& o) const {
    return std::tie(node_id, iteration) < std::tie(o.node_id, o.iteration);
  }
};

struct restart_request {
  task_key key;
  bool after_retry;  // a retry timer fired (else: recovery after a crash)
};
struct cancel_request {
  std::string reason;
};
using inbox_item =
  std::variant<node_report_ptr, stream_report_ptr, restart_request, cancel_request>;

struct execution_actor_state {
  execution_setup setup;
  execution_state exec;
  std::deque<inbox_item> inbox;
  bool in_flight = false;
  std::vector<execution_event> in_flight_events;
  std::map<task_key, caf::actor> workers;
  std::map<std::string, std::vector<json::value>> loop_items;
  id_source ids;
};

using self_ptr = caf::stateful_actor<execution_actor_state>*;

planner_context context_for(self_ptr self) {
  return planner_context{now_ms(), [self] { return self->state.ids.next_id(); }};
}

std::optional<std::uint32_t> iteration_from(std::int64_t code) {
  if (code == no_iteration)
    return std::nullopt;
  return static_cast<std::uint32_t>(code);
}

const retry_policy& policy_for(const compiled_node& node, const task_key& key) {
  return key.iteration && node.body ? node.body->retry : node.retry;
}

// The event that answers a node report, if the report is still current.
std::optional<execution_event> answer_report(self_ptr self, const node_report& r) {
  auto& st = self->state;
  task_key key{r.node_id, r.iteration};
  st.workers.erase(key);
  const auto* task = st.exec.task(r.node_id, r.iteration);
  if (!task || task->status != node_status::running || task->attempts != r.attempt)
    return std::nullopt;
  auto now = now_ms();
  if (auto* items = std::get_if<std::vector<json::value>>(&r.outcome)) {
    st.loop_items[r.node_id] = *items;
    return std::nullopt;
  }
  if (auto* out = std::get_if<node_output>(&r.outcome)) {
    node_complete done{r.node_id, out->value, now - task->started_at, r.iteration, out->route};
    if (out->ai) {
      done.tokens = json::object{{"input", out->ai->input_tokens},
                                 {"output", out->ai->output_tokens}};
      done.cost = out->ai->cost;
      done.model = out->ai->model;
      done.ttft_ms = out->ai->ttft_ms;
      done.tokens_per_second = out->ai->tokens_per_second;
    }
    return execution_event{now, std::move(done)};
  }
  const auto* node = st.setup.flow->find(r.node_id);
  const auto& failure = std::get<node_failure>(r.outcome);
  if (node->ai && !r.iteration) {
    auto models = node->ai->models();
    return decide_model_failure(r.node_id, models, current_model_index(models, *task),
                                *task, node->retry, failure, st.ids.next_unit(), now,
                                failure.breaker_open);
  }
  return decide_failure(r.node_id, r.iteration, *task, policy_for(*node, key), failure,
                        st.ids.next_unit(), now);
}

// A streamed piece of a running attempt becomes a node_stream event; text
// deltas that follow each other for one task in one drain are coalesced.
void add_stream_piece(self_ptr self, const stream_report& piece,
                      std::vector<execution_event>& out) {
  const auto* task = self->state.exec.task(piece.node_id, piece.iteration);
  if (!task || task->status != node_status::running || task->attempts != piece.attempt)
    return;
  if (!out.empty()) {
    auto* last = std::get_if<node_stream>(&out.back().payload);
    if (last && last->node_id == piece.node_id && last->iteration == piece.iteration
        && last->event.is_object() && piece.event.is_object()
        && last->event.get_object().at("type") == "text_delta"
        && piece.event.get_object().at("type") == "text_delta") {
      auto& content = last->event.get_object()["content"].as_string();
      content.append(piece.event.get_object().at("content").as_string());
      return;
    }
  }
  out.push_back(execution_event{now_ms(), node_stream{piece.node_id, piece.event, piece.iteration}});
}

std::vector<execution_event> events_from_inbox(self_ptr self) {
  auto& st = self->state;
  std::vector<execution_event> out;
  while (!st.inbox.empty()) {
    auto item = std::move(st.inbox.front());
    st.inbox.pop_front();
    if (auto* cancel = std::get_if<cancel_request>(&item)) {
      st.inbox.clear();
      return {execution_event{now_ms(), execution_cancelled{cancel->reason}}};
    }
    if (auto* report = std::get_if<node_report_ptr>(&item)) {
      if (auto e = answer_report(self, **report))
        out.push_back(std::move(*e));
      continue;
    }
    if (auto* piece = std::get_if<stream_report_ptr>(&item)) {
      add_stream_piece(self, **piece, out);
      continue;
    }
    const auto& restart = std::get<restart_request>(item);
    const auto* task = st.exec.task(restart.key.node_id, restart.key.iteration);
    auto expected = restart.after_retry ? node_status::waiting_retry
                                        : node_status::running;
    if (!task || task->status != expected)
      continue;
    auto ctx = context_for(self);
    out.push_back(restart_task(restart.key.node_id, restart.key.iteration, *task, ctx));
  }
  return out;
}

std::vector<execution_event> plan(self_ptr self) {
  auto& st = self->state;
  auto ctx = context_for(self);
  auto events = plan_next(*st.setup.flow, st.exec, ctx);
  for (const auto& e : events)
    if (is_terminal(e.payload))
      return events;
  for (const auto& [node_id, items] : st.loop_items) {
    auto more = plan_loop(*st.setup.flow->find(node_id), st.exec.nodes.at(node_id),
                          items, ctx);
    for (auto& e : more)
      events.push_back(std::move(e));
  }
  return events;
}

std::string summary_after(self_ptr self, const std::vector<execution_event>& events) {
  auto copy = self->state.exec;
  for (const auto& e : events)
    apply(copy, e);
  return execution_summary(self->state.setup.execution_id, copy);
}

void append(self_ptr self, std::vector<execution_event> events) {
  auto& st = self->state;
  storage::append_request request;
  request.stream = names::execution_stream(st.setup.execution_id);
  request.expected_next = st.exec.next_index;
  request.events.reserve(events.size());
  bool changes_summary = false;
  for (const auto& e : events) {
    request.events.push_back(serialize_event(e));
    changes_summary |= is_terminal(e.payload)
                       || std::holds_alternative<execution_start>(e.payload);
  }
  if (changes_summary) {
    auto summary = summary_after(self, events);
    const auto& ws = st.exec.workspace_id.empty() && st.setup.start
                       ? st.setup.start->workspace_id : st.exec.workspace_id;
    if (!ws.empty())
      request.projections.push_back({std::string(storage::families::executions_by_workspace),
                                     ws + '\0' + st.setup.execution_id, summary, false});
    request.projections.push_back({std::string(storage::families::executions),
                                   st.setup.execution_id, std::move(summary), false});
  }
  if (st.exec.next_index == 0)
    for (auto& p : st.setup.start_projections)
      request.projections.push_back(std::move(p));
  st.in_flight = true;
  st.in_flight_events = std::move(events);
  caf::actor me = caf::actor_cast<caf::actor>(self);
  st.setup.log->append_async(
    std::move(request), [me](result<std::vector<storage::committed_event>> r) {
      auto outcome = std::make_shared<const append_outcome>(append_outcome{std::move(r)});
      caf::anon_send(me, appended_atom::value, append_outcome_ptr(std::move(outcome)));
    });
}

void pump(self_ptr self) {
  auto& st = self->state;
  if (st.in_flight || is_terminal(st.exec.status))
    return;
  std::vector<execution_event> events;
  for (auto& e : events_from_inbox(self))
    if (validate(st.exec, e))
      events.push_back(std::move(e));
  if (events.empty())
    events = plan(self);
  if (!events.empty())
    append(self, std::move(events));
}

void dispatch(self_ptr self, const task_key& key, const task_record& task) {
  auto& st = self->state;
  const auto* node = st.setup.flow->find(key.node_id);
  auto work = key.iteration ? node_work::loop_body
              : node->kind == node_kind::loop ? node_work::expand_loop
                                              : node_work::run;
  auto t = std::make_shared<const node_task>(node_task{
    st.setup.flow, node, work, key.iteration, task.attempts, task.input, task.deadline});
  auto me = caf::actor_cast<caf::actor>(self);
  if (node->kind == node_kind::ai_block && !key.iteration) {
    auto models = node->ai->models();
    st.workers[key] = spawn_ai_node(self, me, ai_task{std::move(t), st.setup.connections,
                                                      st.setup.prices, st.setup.transport,
                                                      st.setup.breakers,
                                                      models[current_model_index(models, task)],
                                                      node->retry.max_retries + 1,
                                                      st.setup.debug});
    return;
  }
  st.workers[key] = self->spawn<caf::monitored>(node_actor, me, std::move(t));
}

void finish(self_ptr self, std::string status) {
  auto& st = self->state;
  for (auto& [key, worker] : st.workers)
    self->send_exit(worker, caf::exit_reason::user_shutdown);
  st.workers.clear();
  if (st.setup.observer)
    self->send(st.setup.observer, finished_atom::value,
               execution_finished{st.setup.execution_id, std::move(status),
                                  std::make_shared<const execution_state>(st.exec)});
  self->quit();
}

void take_effect(self_ptr self, const execution_event& event) {
  auto& st = self->state;
  if (auto* start = std::get_if<node_start>(&event.payload)) {
    task_key key{start->node_id, start->iteration};
    if (!start->iteration)
      st.loop_items.erase(start->node_id);
    dispatch(self, key, *st.exec.task(key.node_id, key.iteration));
  } else if (auto* fallback = std::get_if<node_fallback>(&event.payload)) {
    // The next model starts at once, as a new attempt.
    st.inbox.push_back(restart_request{task_key{fallback->node_id, std::nullopt}, false});
  } else if (auto* retry = std::get_if<node_retry>(&event.payload)) {
    self->delayed_send(self, std::chrono::milliseconds(retry->delay_ms),
                       retry_due_atom::value, retry->node_id,
                       retry->iteration ? std::int64_t(*retry->iteration) : no_iteration);
  } else if (auto* done = std::get_if<node_complete>(&event.payload); done && !done->iteration) {
    st.loop_items.erase(done->node_id);
  } else if (auto* failed = std::get_if<node_error>(&event.payload); failed && !failed->iteration) {
    st.loop_items.erase(failed->node_id);
  }
}

void on_appended(self_ptr self, const append_outcome& outcome) {
  auto& st = self->state;
  st.in_flight = false;
  if (!outcome.events) {
    finish(self, "log_failed");
    return;
  }
  auto events = std::move(st.in_flight_events);
  for (const auto& e : events)
    apply(st.exec, e);
  if (st.setup.observer && std::holds_alternative<execution_start>(events.front().payload))
    self->send(st.setup.observer, started_atom::value, st.setup.execution_id);
  if (is_terminal(st.exec.status)) {
    finish(self, std::string(status_name(st.exec.status)));
    return;
  }
  for (const auto& e : events)
    take_effect(self, e);
  pump(self);
}

// After a restart: running tasks run again as a new attempt, except delays
// (they wait what is left of their deadline) and loops (their items are
// computed again); waiting retries get their timer back.
void resume_tasks(self_ptr self) {
  auto& st = self->state;
  auto now = now_ms();
  auto revive = [&](const task_key& key, const task_record& task, node_kind kind) {
    if (task.status == node_status::waiting_retry && task.retry_at) {
      self->delayed_send(self, std::chrono::milliseconds(std::max<unix_ms>(0, *task.retry_at - now)),
                         retry_due_atom::value, key.node_id,
                         key.iteration ? std::int64_t(*key.iteration) : no_iteration);
    } else if (task.status == node_status::running) {
      if (!key.iteration && (kind == node_kind::delay || kind == node_kind::loop))
        dispatch(self, key, task);
      else
        st.inbox.push_back(restart_request{key, false});
    }
  };
  for (const auto& [node_id, record] : st.exec.nodes) {
    const auto* node = st.setup.flow->find(node_id);
    if (!node)
      continue;
    revive(task_key{node_id, std::nullopt}, record.task, node->kind);
    for (const auto& [i, task] : record.iterations)
      revive(task_key{node_id, i}, task, node->kind);
  }
}

caf::behavior execution_actor(caf::stateful_actor<execution_actor_state>* self,
                              execution_setup setup) {
  auto& st = self->state;
  st.exec = std::move(setup.state);
  st.setup = std::move(setup);
  // Told to stop (server shutdown): stop the node actors too. The execution
  // stays unfinished in the log and is resumed at the next start.
  self->set_exit_handler([self](caf::exit_msg& msg) {
    for (auto& [key, worker] : self->state.workers)
      self->send_exit(worker, caf::exit_reason::user_shutdown);
    self->state.workers.clear();
    self->quit(msg.reason);
  });
  self->set_down_handler([self](caf::down_msg& msg) {
    auto& st = self->state;
    for (auto it = st.workers.begin(); it != st.workers.end(); ++it) {
      if (it->second.address() != msg.source)
        continue;
      auto key = it->first;
      st.workers.erase(it);
      if (msg.reason && msg.reason != caf::exit_reason::normal) {
        const auto* task = st.exec.task(key.node_id, key.iteration);
        auto report = std::make_shared<const node_report>(node_report{
          key.node_id, key.iteration, task ? task->attempts : 0,
          node_failure{"the node actor stopped unexpectedly", true, {}}});
        st.inbox.push_back(node_report_ptr(report));
        pump(self);
      }
      return;
    }
  });
  if (st.setup.start) {
    append(self, {execution_event{now_ms(), *st.setup.start}});
  } else {
    resume_tasks(self);
    pump(self);
  }
  return {
    [self](appended_atom, const append_outcome_ptr& outcome) { on_appended(self, *outcome); },
    [self](node_done_atom, const node_report_ptr& report) {
      self->state.inbox.push_back(report);
      pump(self);
    },
    [self](retry_due_atom, const std::string& node_id, std::int64_t iteration) {
      self->state.inbox.push_back(
        restart_request{task_key{node_id, iteration_from(iteration)}, true});
      pump(self);
    },
    [self](stream_atom, const stream_report_ptr& piece) {
      self->state.inbox.push_back(piece);
      pump(self);
    },
    [self](cancel_atom, const std::string& reason) {
      self->state.inbox.push_back(cancel_request{reason});
      pump(self);
    },
  };
}

} // namespace

caf::actor spawn_execution(caf::actor_system& system, execution_setup setup) {
  return system.spawn(execution_actor, std::move(setup));
}

std::string execution_summary(const std::string& execution_id,
                              const execution_state& state) {
  json::object o;
  o["id"] = execution_id;
  o["flowId"] = state.flow_id;
  o["flowVersion"] = state.flow_version;
  o["status"] = status_name(state.status);
  o["triggeredBy"] = state.triggered_by;
  if (!state.workspace_id.empty())
    o["workspaceId"] = state.workspace_id;
  o["startedAt"] = format_rfc3339_ms(state.started_at);
  o["completedAt"] = state.completed_at ? json::value(format_rfc3339_ms(state.completed_at))
                                        : json::value();
  return json::serialize(o);
}

} // namespace baley::actors
