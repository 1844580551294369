// Executions; see execution_routes.hpp.
#include "http/execution_routes.hpp"

#include "http/execution_view.hpp"
#include "http/paging.hpp"
#include "runtime/execution/test_run.hpp"
#include "runtime/numbers.hpp"
#include "storage/projections.hpp"

#include <boost/json.hpp>

namespace baley::http {
namespace json = boost::json;

namespace {

// The GET view of a stored execution, on a reader thread.
void reply_view(actors::engine& engine, const api_call_ptr& call, int status,
                const std::string& id) {
  auto state = actors::fold_execution(engine.log(), id);
  if (!state)
    return reply_error(call, state.error());
  auto flow = engine.load_flow(state->flow_id, state->flow_version, state->block_versions);
  reply_json(call, status, execution_view(id, *state, flow ? flow->get() : nullptr,
                                          engine.time()->now()));
}


void reply_started(const api_call_ptr& call, const std::string& id) {
  reply_json(call, 202, json::object{{"executionId", id}, {"status", "started"}});
}

} // namespace

result<std::optional<double>> wait_of(const http_request& request) {
  auto text = request.query_param("wait");
  if (!text)
    return std::optional<double>();
  auto seconds = runtime::parse_decimal(*text, 0, 300);
  if (!seconds)
    return error{"invalid_query", "wait must be a number of seconds from 0 to 300", {}};
  return std::optional<double>(*seconds);
}

std::optional<runtime::execution_summary> read_summary(const storage::event_log& log,
                                                       const std::string& workspace_id,
                                                       const std::string& execution_id) {
  auto stored = log.get_projection(storage::families::executions, execution_id);
  if (!stored || !*stored)
    return std::nullopt;
  auto summary = runtime::parse_summary(**stored);
  if (!summary || summary->workspace_id != workspace_id)
    return std::nullopt;
  return std::move(summary).value();
}

void execution_routes::wait_for(const api_call_ptr& call, const std::string& id, double seconds,
                                json::object still_running) {
  p_.executions.wait(id, call);
  p_.async.after(std::chrono::milliseconds(static_cast<long>(seconds * 1000)),
                 [this, call, id, still_running = std::move(still_running)] {
                   if (p_.executions.drop_wait(id, call))
                     reply_json(call, 202, still_running);
                 });
}

void execution_routes::wait_for(const api_call_ptr& call, const std::string& id,
                                double seconds) {
  wait_for(call, id, seconds, json::object{{"executionId", id}, {"status", "started"}});
}

// An Idempotency-Key seen within 24 h: the same execution, nothing new.
bool execution_routes::replay_idempotent(const api_call_ptr& call, const authenticated& who,
                                         const std::string& key, std::optional<double> wait) {
  auto id = p_.idempotency.find(who.workspace_id, key, p_.engine.time()->now());
  if (!id)
    return false;
  if (!wait || *wait <= 0) {
    reply_started(call, *id);
  } else if (p_.executions.find(*id)) {
    wait_for(call, *id, *wait);
  } else {
    p_.async.on_reader([&engine = p_.engine, call, id = *id] { reply_view(engine, call, 200, id); });
  }
  return true;
}

void execution_routes::execute(const api_call_ptr& call, const authenticated& who) {
  const auto* flow = p_.catalog.get().flow(who.workspace_id, call->param(0));
  if (!flow)
    return reply_not_found(call, "flow " + call->param(0));
  if (!flow->enabled())
    return reply_error(call, 409, "flow_disabled", "flow " + flow->id + " is disabled");
  json::value input = json::object();
  if (call->body) {
    if (!call->body->is_object())
      return reply_error(call, 400, "invalid_request", "the body must be {\"input\": ...}");
    if (auto* given = call->body->get_object().if_contains("input"))
      input = *given;
  }
  auto wait = wait_of(call->request);
  if (!wait)
    return reply_error(call, wait.error());
  std::string key(call->request.header("idempotency-key"));
  if (key.size() > idempotency_index::max_key_bytes)
    return reply_error(call, 400, "invalid_request", "Idempotency-Key is over 255 characters");
  if (!key.empty() && replay_idempotent(call, who, key, *wait))
    return;
  launch_request launch{.workspace_id = who.workspace_id,
                        .flow_id = flow->id,
                        .flow_version = flow->version,
                        .input = std::move(input),
                        .trigger = {.kind = runtime::trigger_kind::api, .token_id = who.token_id},
                        .idempotency_key = std::move(key)};
  p_.launcher.launch(std::move(launch),
                     [this, call, wait = *wait](const std::string* id, const error* failed) {
                       if (failed)
                         return reply_error(call, *failed);
                       if (wait && *wait > 0)
                         return wait_for(call, *id, *wait);
                       reply_started(call, *id);
                     });
}

void execution_routes::started(const std::string& execution_id) {
  if (auto then = p_.executions.take_start(execution_id))
    (*then)(nullptr);
}

void execution_routes::finished(const actors::execution_finished& finished) {
  const auto& id = finished.execution_id;
  auto ended = p_.executions.finish(id);
  if (ended.starting) {
    error failed{"log_failed", "the execution could not be recorded: the event log failed", {}};
    (*ended.starting)(&failed);
  }
  p_.counters.execution_finished(actors::finish_reason_name(finished.reason));
  if (!ended.waiting.empty() && finished.state) {
    const auto& state = *finished.state;
    auto flow = p_.engine.cached_flow(state.flow_id, state.flow_version, state.block_versions);
    auto view = execution_view(id, state, flow.get(), p_.engine.time()->now());
    for (const auto& call : ended.waiting) {
      if (call->route.id != route_id::block_test) {
        reply_json(call, 200, view);
        continue;
      }
      const auto* node = flow ? flow->find(runtime::tested_node_id) : nullptr;
      reply_json(call, 200,
                 runtime::test_run_json(id, state,
                                        node && node->kind() == runtime::node_kind::ai_block));
    }
  }
  for (const auto& call : ended.cancelling) {
    if (finished.reason == actors::finish_reason::cancelled)
      reply_json(call, 200, json::object{{"status", "cancelled"}});
    else
      reply_error(call, 409, "invalid_state",
                  "execution " + id + " already "
                    + std::string(actors::finish_reason_name(finished.reason)));
  }
}

void execution_routes::cancel(const api_call_ptr& call, const authenticated& who) {
  const auto& id = call->param(0);
  if (const auto* live = p_.executions.find(id); live && live->workspace_id == who.workspace_id) {
    p_.executions.cancelling(id, call);
    caf::anon_send(live->actor, actors::cancel_atom_v, std::string("cancelled by API"));
    return;
  }
  p_.async.on_reader([&log = p_.engine.log(), call, ws = who.workspace_id, id] {
    auto summary = read_summary(log, ws, id);
    if (!summary)
      return reply_not_found(call, "execution " + id);
    reply_error(call, 409, "invalid_state",
                "execution " + id + " is already "
                  + std::string(runtime::status_name(summary->status)));
  });
}

void execution_routes::get(const api_call_ptr& call, const authenticated& who) {
  p_.async.on_reader([&engine = p_.engine, call, ws = who.workspace_id] {
    const auto& id = call->param(0);
    if (!read_summary(engine.log(), ws, id))
      return reply_not_found(call, "execution " + id);
    reply_view(engine, call, 200, id);
  });
}

void execution_routes::list(const api_call_ptr& call, const authenticated& who) {
  auto flow_id = call->request.query_param("flowId");
  auto status = call->request.query_param("status");
  // Test runs are left out unless asked for (?kind=test: only them).
  auto kind = call->request.query_param("kind");
  if (kind && *kind != "test" && *kind != "flow")
    return reply_error(call, 400, "invalid_query", "kind must be flow or test");
  bool tests = kind == "test";
  reply_projection_page(
    p_.async, p_.engine.log(), call, storage::families::executions_by_workspace,
    storage::projections::workspace_executions(who.workspace_id),
    [flow_id, status, tests](const json::object& summary) {
      auto matches = [&summary](std::string_view key, const std::optional<std::string>& want) {
        auto* v = summary.if_contains(key);
        return !want || (v && v->is_string() && v->get_string() == *want);
      };
      const auto* trigger = summary.if_contains("trigger");
      const auto* type = trigger && trigger->is_object() ? trigger->get_object().if_contains("type")
                                                         : nullptr;
      bool is_test = type && type->is_string() && type->get_string() == "test";
      return is_test == tests && matches("flowId", flow_id) && matches("status", status);
    });
}

} // namespace baley::http
