// The execution fold and its transition rules; see execution_state.hpp.
#include "runtime/execution/execution_state.hpp"

#include "runtime/enum_names.hpp"
#include "runtime/numbers.hpp"
#include "runtime/overloaded.hpp"
#include "runtime/stream_names.hpp"

#include <array>
#include <limits>

namespace baley::runtime {
namespace json = boost::json;
namespace {


task_record& task_of(execution_state& s, const std::string& node_id,
                     std::optional<std::uint32_t> iteration) {
  auto& node = s.nodes[node_id];
  return iteration ? node.iterations[*iteration] : node.task;
}

bool is_live(node_status s) {
  return s == node_status::running || s == node_status::waiting_retry;
}

std::string describe(const std::string& node_id, std::optional<std::uint32_t> it) {
  return "node '" + node_id + "'" + (it ? " iteration " + std::to_string(*it) : "");
}

status invalid(std::string message) {
  return error{"invalid_state", std::move(message), {}};
}

} // namespace

namespace {

constexpr enum_names<execution_status, 5> execution_statuses{{{
  {execution_status::pending, "pending"},
  {execution_status::running, "running"},
  {execution_status::completed, "completed"},
  {execution_status::failed, "failed"},
  {execution_status::cancelled, "cancelled"},
}}};

} // namespace

std::string_view status_name(execution_status status) {
  return execution_statuses.name(status);
}

std::optional<execution_status> execution_status_from_name(std::string_view name) {
  return execution_statuses.parse(name);
}

std::string_view status_name(node_status status) {
  switch (status) {
    case node_status::pending:
    case node_status::waiting_retry: return "pending";
    case node_status::running: return "running";
    case node_status::completed: return "completed";
    case node_status::failed: return "failed";
    case node_status::skipped: return "skipped";
    case node_status::cancelled: return "cancelled";
  }
  return "pending";
}

bool is_terminal(execution_status status) {
  return status == execution_status::completed
         || status == execution_status::failed
         || status == execution_status::cancelled;
}

std::optional<execution_status> terminal_status_of(std::string_view event_json) {
  static const std::array<std::pair<std::string, execution_status>, 3> prefixes = [] {
    auto prefix = [](std::string_view type) {
      return "{\"type\":\"" + std::string(type) + "\"";
    };
    return std::array<std::pair<std::string, execution_status>, 3>{{
      {prefix(names::execution_complete), execution_status::completed},
      {prefix(names::execution_error), execution_status::failed},
      {prefix(names::execution_cancelled), execution_status::cancelled},
    }};
  }();
  for (const auto& [prefix, status] : prefixes)
    if (event_json.substr(0, prefix.size()) == prefix)
      return status;
  return std::nullopt;
}

const task_record* execution_state::task(const std::string& node_id,
                                         std::optional<std::uint32_t> iteration) const {
  auto it = nodes.find(node_id);
  if (it == nodes.end())
    return nullptr;
  if (!iteration)
    return &it->second.task;
  auto iter = it->second.iterations.find(*iteration);
  return iter == it->second.iterations.end() ? nullptr : &iter->second;
}

status validate(const execution_state& s, const execution_event& event) {
  if (std::holds_alternative<execution_start>(event.payload))
    return s.status == execution_status::pending && s.next_index == stream_index{0}
             ? status{ok} : invalid("the execution has already started");
  if (is_terminal(s.status))
    return invalid("the execution is already " + std::string(status_name(s.status)));
  if (s.status == execution_status::pending
      && !std::holds_alternative<execution_cancelled>(event.payload))
    return invalid("the execution has not started");
  auto live = [&](const std::string& id, std::optional<std::uint32_t> it) -> status {
    auto* t = s.task(id, it);
    if (!t || t->status != node_status::running)
      return invalid(describe(id, it) + " is not running");
    return ok;
  };
  return std::visit(
    overloaded{
      [&](const node_start& e) -> status {
        auto* t = s.task(e.node_id, e.iteration);
        if (t && (t->status == node_status::completed
                  || t->status == node_status::skipped
                  || t->status == node_status::failed))
          return invalid(describe(e.node_id, e.iteration) + " has already finished");
        return ok;
      },
      [&](const node_stream& e) { return live(e.node_id, e.iteration); },
      [&](const node_complete& e) { return live(e.node_id, e.iteration); },
      [&](const node_error& e) -> status {
        auto* t = s.task(e.node_id, e.iteration);
        if (!t || !is_live(t->status))
          return invalid(describe(e.node_id, e.iteration) + " is not running");
        return ok;
      },
      [&](const node_retry& e) { return live(e.node_id, e.iteration); },
      [&](const node_skipped& e) -> status {
        auto* t = s.task(e.node_id, std::nullopt);
        if (t && t->status != node_status::pending)
          return invalid(describe(e.node_id, std::nullopt) + " cannot be skipped now");
        return ok;
      },
      [&](const node_fallback& e) { return live(e.node_id, std::nullopt); },
      // Checked above: only a new execution starts; a running one may end.
      [&](const execution_start&) -> status { return ok; },
      [&](const execution_complete&) -> status { return ok; },
      [&](const execution_error&) -> status { return ok; },
      [&](const execution_cancelled&) -> status { return ok; },
    },
    event.payload);
}

void apply(execution_state& s, const execution_event& event) {
  ++s.next_index;
  std::visit(
    overloaded{
      [&](const execution_start& e) {
        s.status = execution_status::running;
        s.input = e.input;
        s.flow_id = e.flow_id;
        s.flow_version = e.flow_version;
        s.triggered_by = e.triggered_by;
        s.trigger = e.trigger;
        s.workspace_id = e.workspace_id;
        s.block_versions = e.block_versions;
        s.rerun = e.rerun;
        s.started_at = event.ts;
      },
      [&](const node_start& e) {
        auto& t = task_of(s, e.node_id, e.iteration);
        t.status = node_status::running;
        t.attempts += 1;
        t.block_execution_id = e.block_execution_id;
        t.input = e.input;
        t.started_at = event.ts;
        t.deadline = e.deadline;
        t.retry_at.reset();
      },
      [&](const node_stream& e) {
        const auto* o = e.event.if_object();
        const auto* type = o ? o->if_contains("type") : nullptr;
        if (!type || !type->is_string())
          return;
        auto text = [o](std::string_view key) {
          const auto* v = o->if_contains(key);
          return v && v->is_string() ? std::string(v->get_string()) : std::string();
        };
        auto& steps = task_of(s, e.node_id, e.iteration).tool_steps;
        if (type->get_string() == "tool_call") {
          const auto* round = o->if_contains("round");
          steps.push_back(tool_step{
            .id = text("id"),
            .name = text("name"),
            .arguments = o->contains("arguments") ? o->at("arguments") : json::value(),
            .round = static_cast<std::uint32_t>(
              round ? json_integer(*round, 1, 1000).value_or(1) : 1)});
        } else if (type->get_string() == "tool_result") {
          auto id = text("id");
          for (auto& step : steps)
            if (step.id == id && !step.output)
              step.output = o->contains("output") ? o->at("output") : json::value();
        }
      },
      [&](const node_complete& e) {
        auto& node = s.nodes[e.node_id];
        auto& t = task_of(s, e.node_id, e.iteration);
        t.status = node_status::completed;
        t.output = e.output;
        t.completed_at = event.ts;
        t.duration_ms = e.duration_ms;
        if (!e.iteration)
          node.route = e.route;
        if (e.tokens.is_object()) {
          const auto& tokens = e.tokens.get_object();
          constexpr auto most = std::numeric_limits<std::int32_t>::max();  // per call
          if (auto* in = tokens.if_contains("input"))
            node.tokens_input += json_integer(*in, 0, most).value_or(0);
          if (auto* out = tokens.if_contains("output"))
            node.tokens_output += json_integer(*out, 0, most).value_or(0);
        }
        if (e.cost)
          node.cost += *e.cost;
        if (!e.iteration) {
          node.model = e.model;
          node.ttft_ms = e.ttft_ms;
          node.tokens_per_second = e.tokens_per_second;
        }
      },
      [&](const node_error& e) {
        auto& t = task_of(s, e.node_id, e.iteration);
        t.status = node_status::failed;
        t.error = e.error;
        t.error_code = e.code;
        t.error_debug = e.debug;
        t.completed_at = event.ts;
        t.duration_ms = event.ts - t.started_at;
      },
      [&](const node_retry& e) {
        auto& t = task_of(s, e.node_id, e.iteration);
        t.status = node_status::waiting_retry;
        t.failures += 1;
        t.failures_since_fallback += 1;
        t.error = e.error;
        t.retry_at = event.ts + e.delay_ms;
      },
      [&](const node_skipped& e) { s.nodes[e.node_id].task.status = node_status::skipped; },
      [&](const node_fallback& e) {
        auto& t = s.nodes[e.node_id].task;
        t.fallbacks += 1;
        t.failures_since_fallback = 0;
        t.model = e.to;
      },
      [&](const execution_complete& e) {
        s.status = execution_status::completed;
        s.output = e.output;
        s.completed_at = event.ts;
      },
      [&](const execution_error& e) {
        s.status = execution_status::failed;
        s.error = e.error;
        s.error_node_id = e.node_id;
        s.error_code = e.code;
        s.completed_at = event.ts;
      },
      [&](const execution_cancelled& e) {
        s.status = execution_status::cancelled;
        s.error = e.reason.empty() ? "cancelled" : e.reason;
        s.completed_at = event.ts;
        for (auto& [id, node] : s.nodes) {
          if (is_live(node.task.status))
            node.task.status = node_status::cancelled;
          for (auto& [i, t] : node.iterations)
            if (is_live(t.status))
              t.status = node_status::cancelled;
        }
      },
    },
    event.payload);
}

boost::json::object execution_metrics(const execution_state& s, unix_ms now) {
  std::int64_t tokens = 0;
  double cost = 0;
  for (const auto& [id, node] : s.nodes) {
    tokens += node.tokens_input + node.tokens_output;
    cost += node.cost;
  }
  boost::json::object m;
  m["totalDurationMs"] = (s.completed_at ? s.completed_at : now) - s.started_at;
  m["totalTokens"] = tokens;
  // Whole numbers are written as integers ("0", not Boost.JSON's "0E0").
  if (cost == static_cast<double>(static_cast<std::int64_t>(cost)))
    m["totalCost"] = static_cast<std::int64_t>(cost);
  else
    m["totalCost"] = cost;
  return m;
}

} // namespace baley::runtime
