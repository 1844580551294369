// The execution's decision step; see planner.hpp.
#include "runtime/execution/planner.hpp"

#include "runtime/execution/input_merge.hpp"

#include <unordered_map>

namespace baley::runtime {
namespace json = boost::json;
namespace {

enum class edge_state { undecided, active, dead_route, dead_skipped };

node_status status_of(const execution_state& state, const std::string& id) {
  auto it = state.nodes.find(id);
  return it == state.nodes.end() ? node_status::pending : it->second.task.status;
}

execution_event at(unix_ms now, execution_event_payload payload) {
  return execution_event{now, std::move(payload)};
}

node_start start_event(const compiled_node& node, json::value input,
                       planner_context& ctx) {
  node_start start{.node_id = node.id, .block_execution_id = ctx.new_id(), .attempt = 1,
                   .input = std::move(input)};
  if (auto* delay = node.settings_of<delay_settings>())
    start.deadline = ctx.now + delay->delay_ms;
  return start;
}

// A rerun's recorded run of `node_id`, when this execution reuses it.
const rerun_plan::recorded* reused(const execution_state& state, const std::string& node_id) {
  if (!state.rerun)
    return nullptr;
  auto it = state.rerun->reuse.find(node_id);
  return it == state.rerun->reuse.end() ? nullptr : &it->second;
}

json::value execution_output(const compiled_flow& flow, const execution_state& state) {
  json::object by_sink;
  const json::value* only = nullptr;
  for (auto v : flow.topological_order) {
    const auto& node = flow.nodes[v];
    auto it = state.nodes.find(node.id);
    if (node.kind() != node_kind::sink || it == state.nodes.end()
        || it->second.task.status != node_status::completed)
      continue;
    by_sink[node.id] = it->second.task.output;
    only = &it->second.task.output;
  }
  if (by_sink.empty())
    return nullptr;
  if (by_sink.size() == 1)
    return *only;
  return by_sink;
}

} // namespace

std::vector<execution_event> plan_next(const compiled_flow& flow,
                                       const execution_state& state,
                                       planner_context& ctx) {
  std::vector<execution_event> out;
  if (state.status != execution_status::running)
    return out;
  for (auto v : flow.topological_order) {
    const auto& node = flow.nodes[v];
    auto it = state.nodes.find(node.id);
    if (it != state.nodes.end() && it->second.task.status == node_status::failed) {
      out.push_back(at(ctx.now, execution_error{.error = it->second.task.error,
                                                .node_id = node.id,
                                                .code = it->second.task.error_code}));
      return out;
    }
  }
  std::unordered_map<std::string, node_status> decided;
  auto current = [&](const std::string& id) {
    auto d = decided.find(id);
    return d != decided.end() ? d->second : status_of(state, id);
  };
  bool all_done = true;
  for (auto v : flow.topological_order) {
    const auto& node = flow.nodes[v];
    if (current(node.id) != node_status::pending) {
      auto s = current(node.id);
      all_done &= s == node_status::completed || s == node_status::skipped;
      continue;
    }
    std::vector<std::size_t> active;
    bool undecided = false, route_not_chosen = false;
    for (auto e : node.in_edges) {
      const auto& edge = flow.edges[e];
      auto s = current(edge.source);
      if (s == node_status::skipped)
        continue;
      if (s != node_status::completed) {
        undecided = true;
        break;
      }
      const auto* pred = flow.find(edge.source);
      if (pred->kind() == node_kind::router) {
        const auto& route = state.nodes.at(edge.source).route;
        if (!route || !edge.source_handle || *route != *edge.source_handle) {
          route_not_chosen = true;
          continue;
        }
      }
      active.push_back(e);
    }
    if (undecided && node.kind() != node_kind::source) {
      all_done = false;
      continue;
    }
    if (node.kind() != node_kind::source && active.empty()) {
      out.push_back(at(ctx.now, node_skipped{.node_id = node.id,
                                             .reason = route_not_chosen
                                                         ? "route not chosen"
                                                         : "all predecessors skipped"}));
      decided[node.id] = node_status::skipped;
      continue;
    }
    all_done = false;
    json::value merged = node.kind() == node_kind::source
                           ? state.input : merge_inputs(flow, node, active, state);
    // Nodes after this one wait for the next decision, which sees its output.
    decided[node.id] = node_status::running;
    if (const auto* recorded = reused(state, node.id)) {
      // A rerun copies the parent's run: started and completed at once with
      // the recorded output (a router's route too), and no work.
      auto start = start_event(node, std::move(merged), ctx);
      start.deadline.reset();
      start.reused = true;
      out.push_back(at(ctx.now, std::move(start)));
      out.push_back(at(ctx.now, node_complete{.node_id = node.id, .output = recorded->output,
                                             .route = recorded->route, .reused = true}));
      continue;
    }
    if (state.rerun && state.rerun->input && node.id == state.rerun->from_node_id)
      merged = *state.rerun->input;  // the input the rerun gave this node
    out.push_back(at(ctx.now, start_event(node, std::move(merged), ctx)));
  }
  if (all_done) {
    out.push_back(at(ctx.now, execution_complete{.output = execution_output(flow, state),
                                                 .metrics = execution_metrics(state, ctx.now)}));
  }
  return out;
}

std::vector<execution_event> plan_loop(const compiled_node& loop,
                                       const node_record& record,
                                       const std::vector<json::value>& items,
                                       planner_context& ctx) {
  std::vector<execution_event> out;
  const auto* settings = loop.settings_of<loop_settings>();
  if (!settings || record.task.status != node_status::running)
    return out;
  if (items.size() > settings->max_iterations) {
    out.push_back(at(ctx.now, node_error{.node_id = loop.id,
                                         .error = "loop over " + std::to_string(items.size())
                                                  + " items exceeds maxIterations ("
                                                  + std::to_string(settings->max_iterations) + ")",
                                         .attempt = record.task.attempts,
                                         .code = "max_iterations"}));
    return out;
  }
  std::uint32_t live = 0, completed = 0;
  for (const auto& [i, t] : record.iterations) {
    if (t.status == node_status::failed) {
      out.push_back(at(ctx.now, node_error{.node_id = loop.id,
                                           .error = "iteration " + std::to_string(i)
                                                    + " failed: " + t.error,
                                           .attempt = record.task.attempts,
                                           .code = t.error_code}));
      return out;
    }
    if (t.status == node_status::completed)
      ++completed;
    else if (t.status == node_status::running || t.status == node_status::waiting_retry)
      ++live;
  }
  if (completed == items.size()) {
    json::array results;
    for (std::uint32_t i = 0; i < items.size(); ++i)
      results.push_back(record.iterations.at(i).output);
    out.push_back(at(ctx.now, node_complete{.node_id = loop.id,
                                            .output = std::move(results),
                                            .duration_ms = ctx.now - record.task.started_at}));
    return out;
  }
  for (std::uint32_t i = 0; i < items.size() && live < settings->concurrency; ++i) {
    if (record.iterations.count(i))
      continue;
    out.push_back(at(ctx.now, node_start{.node_id = loop.id,
                                         .block_execution_id = ctx.new_id(),
                                         .attempt = 1,
                                         .input = items[i],
                                         .iteration = i}));
    ++live;
  }
  return out;
}

execution_event restart_task(const std::string& node_id,
                             std::optional<std::uint32_t> iteration,
                             const task_record& task, planner_context& ctx) {
  return at(ctx.now, node_start{.node_id = node_id,
                                .block_execution_id = ctx.new_id(),
                                .attempt = task.attempts + 1,
                                .input = task.input,
                                .iteration = iteration,
                                .deadline = task.deadline});
}

} // namespace baley::runtime
