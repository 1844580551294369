// The execution's decision loop; see execution_loop.hpp. Inputs wait while an
// append is in flight, so every decision is taken on a state that holds every
// committed event.
#include "runtime/execution/execution_loop.hpp"

#include "runtime/execution/planner.hpp"
#include "runtime/execution/supervision.hpp"

namespace baley::runtime {
namespace json = boost::json;
namespace {

planner_context planner_of(loop_context& ctx) {
  return planner_context{ctx.now, ctx.new_id};
}

const retry_policy& policy_for(const compiled_node& node, const task_key& key) {
  auto* loop = node.settings_of<loop_settings>();
  return key.iteration && loop ? loop->body.retry : node.retry;
}

bool is_text_delta(const json::value& event) {
  const auto* o = event.if_object();
  const auto* type = o ? o->if_contains("type") : nullptr;
  return type && *type == "text_delta";
}

bool is_current(const task_record* task, std::uint32_t attempt) {
  return task && task->status == node_status::running && task->attempts == attempt;
}

} // namespace

void settle_mappings(decision& d, const std::vector<jq_outputs>& outputs) {
  // From the last event back, so that an inserted node_error moves no event
  // still to settle.
  for (std::size_t m = d.mappings.size(); m-- > 0;) {
    auto at = d.mappings[m].event;
    auto& start = std::get<node_start>(d.events[at].payload);
    if (outputs[m]) {
      start.input = jq_single_output(*outputs[m]);
      continue;
    }
    auto failure = failure_of(outputs[m].error(), "inputMapping: ");
    execution_event failed{d.events[at].ts, node_error{.node_id = start.node_id,
                                                       .error = failure.message,
                                                       .attempt = start.attempt,
                                                       .code = failure.code}};
    d.events.insert(d.events.begin() + static_cast<std::ptrdiff_t>(at) + 1, std::move(failed));
  }
  d.mappings.clear();
}

execution_loop::execution_loop(std::shared_ptr<const compiled_flow> flow, execution_state state)
  : flow_(std::move(flow)), state_(std::move(state)) {}

void execution_loop::receive(loop_input input) {
  inputs_.push_back(std::move(input));
}

std::optional<execution_event> execution_loop::answer(const task_report& r, loop_context& ctx) {
  const auto* task = state_.task(r.task.node_id, r.task.iteration);
  if (!is_current(task, r.attempt))
    return std::nullopt;
  if (auto* items = std::get_if<loop_items>(&r.outcome)) {
    loop_items_[r.task.node_id] = items->items;
    return std::nullopt;
  }
  if (auto* out = std::get_if<node_output>(&r.outcome)) {
    node_complete done{.node_id = r.task.node_id,
                       .output = out->value,
                       .duration_ms = ctx.now - task->started_at,
                       .iteration = r.task.iteration,
                       .route = out->route};
    if (out->ai) {
      done.tokens = json::object{{"input", out->ai->input_tokens},
                                 {"output", out->ai->output_tokens}};
      done.cost = out->ai->cost;
      done.model = out->ai->model;
      done.ttft_ms = out->ai->ttft_ms;
      done.tokens_per_second = out->ai->tokens_per_second;
      if (!out->ai->tool_calls.empty())
        done.tool_calls = out->ai->tool_calls;
    }
    return execution_event{ctx.now, std::move(done)};
  }
  const auto& node = *flow_->find(r.task.node_id);
  const auto& failure = std::get<node_failure>(r.outcome);
  if (auto* ai = node.settings_of<ai_settings>(); ai && !r.task.iteration) {
    auto models = ai->models();
    return decide_model_failure(r.task.node_id, models, current_model_index(models, *task),
                                *task, node.retry, failure, ctx.random01(), ctx.now,
                                failure.breaker_open);
  }
  return decide_failure(r.task.node_id, r.task.iteration, *task, policy_for(node, r.task),
                        failure, ctx.random01(), ctx.now);
}

// Text deltas that follow each other for one task in one drain are coalesced.
void execution_loop::add_piece(const stream_piece& piece, unix_ms now,
                               std::vector<execution_event>& out) {
  if (!is_current(state_.task(piece.task.node_id, piece.task.iteration), piece.attempt))
    return;
  if (!out.empty()) {
    auto* last = std::get_if<node_stream>(&out.back().payload);
    if (last && last->node_id == piece.task.node_id && last->iteration == piece.task.iteration
        && is_text_delta(last->event) && is_text_delta(piece.event)) {
      auto& content = last->event.get_object()["content"].as_string();
      if (const auto* more = piece.event.get_object().if_contains("content");
          more && more->is_string())
        content.append(more->get_string());
      return;
    }
  }
  out.push_back(execution_event{now, node_stream{.node_id = piece.task.node_id,
                                                 .event = piece.event,
                                                 .iteration = piece.task.iteration}});
}

std::vector<execution_event> execution_loop::from_inputs(loop_context& ctx) {
  std::vector<execution_event> out;
  while (!inputs_.empty()) {
    auto input = std::move(inputs_.front());
    inputs_.pop_front();
    if (auto* cancel = std::get_if<cancel_request>(&input)) {
      inputs_.clear();
      return {execution_event{ctx.now, execution_cancelled{.reason = cancel->reason}}};
    }
    if (auto* report = std::get_if<task_report>(&input)) {
      if (auto e = answer(*report, ctx))
        out.push_back(std::move(*e));
    } else if (auto* piece = std::get_if<stream_piece>(&input)) {
      add_piece(*piece, ctx.now, out);
    } else {
      const auto& restart = std::get<restart_due>(input);
      const auto* task = state_.task(restart.task.node_id, restart.task.iteration);
      auto expected = restart.after_retry ? node_status::waiting_retry : node_status::running;
      if (!task || task->status != expected)
        continue;
      auto planner = planner_of(ctx);
      out.push_back(restart_task(restart.task.node_id, restart.task.iteration, *task, planner));
    }
  }
  return out;
}

decision execution_loop::from_planner(loop_context& ctx) {
  auto planner = planner_of(ctx);
  decision d{plan_next(*flow_, state_, planner), {}};
  for (const auto& e : d.events)
    if (is_terminal(e.payload))
      return d;
  for (std::size_t i = 0; i < d.events.size(); ++i) {
    const auto* start = std::get_if<node_start>(&d.events[i].payload);
    const auto* node = start ? flow_->find(start->node_id) : nullptr;
    // A reused node, and the node a rerun gave its input, are not mapped.
    const bool given = start && (start->reused
                                 || (state_.rerun && state_.rerun->input
                                     && state_.rerun->from_node_id == start->node_id));
    if (node && node->input_mapping && !start->iteration && !given)
      d.mappings.push_back(
        {i, jq_evaluation{node->input_mapping.get(), &start->input, node->jq_timeout_ms}});
  }
  for (const auto& [node_id, items] : loop_items_)
    for (auto& e : plan_loop(*flow_->find(node_id), state_.nodes.at(node_id), items, planner))
      d.events.push_back(std::move(e));
  return d;
}

decision execution_loop::decide(loop_context& ctx) {
  if (is_terminal(state_.status))
    return {};
  decision d;
  for (auto& e : from_inputs(ctx))
    if (validate(state_, e))
      d.events.push_back(std::move(e));
  if (d.events.empty())
    d = from_planner(ctx);
  return d;
}

void execution_loop::take_effect(const execution_event& event, std::vector<loop_effect>& effects) {
  if (auto* start = std::get_if<node_start>(&event.payload)) {
    if (!start->iteration)
      loop_items_.erase(start->node_id);
    if (!start->reused)
      effects.push_back(start_work{{start->node_id, start->iteration}});
  } else if (auto* fallback = std::get_if<node_fallback>(&event.payload)) {
    // The next model starts at once, as a new attempt.
    inputs_.push_back(restart_due{{fallback->node_id, std::nullopt}, false});
  } else if (auto* retry = std::get_if<node_retry>(&event.payload)) {
    effects.push_back(arm_retry{{retry->node_id, retry->iteration}, retry->delay_ms});
  } else if (auto* done = std::get_if<node_complete>(&event.payload); done && !done->iteration) {
    loop_items_.erase(done->node_id);
  } else if (auto* failed = std::get_if<node_error>(&event.payload); failed && !failed->iteration) {
    loop_items_.erase(failed->node_id);
  }
}

std::vector<loop_effect> execution_loop::commit(const std::vector<execution_event>& events) {
  for (const auto& e : events)
    apply(state_, e);
  std::vector<loop_effect> effects;
  if (is_terminal(state_.status))
    return effects;
  for (const auto& e : events)
    take_effect(e, effects);
  return effects;
}

std::vector<loop_effect> execution_loop::resume(unix_ms now) {
  std::vector<loop_effect> effects;
  auto revive = [&](const task_key& key, const task_record& task, node_kind kind) {
    if (task.status == node_status::waiting_retry && task.retry_at) {
      effects.push_back(arm_retry{key, std::max<unix_ms>(0, *task.retry_at - now)});
    } else if (task.status == node_status::running) {
      if (!key.iteration && (kind == node_kind::delay || kind == node_kind::loop))
        effects.push_back(start_work{key});
      else
        inputs_.push_back(restart_due{key, false});
    }
  };
  for (const auto& [node_id, record] : state_.nodes) {
    const auto* node = flow_->find(node_id);
    if (!node)
      continue;
    revive(task_key{node_id, std::nullopt}, record.task, node->kind());
    for (const auto& [i, task] : record.iterations)
      revive(task_key{node_id, i}, task, node->kind());
  }
  return effects;
}

} // namespace baley::runtime
