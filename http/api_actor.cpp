// The API actor and its parts; see api_actor.hpp.
#include "http/api_actor.hpp"

#include "http/analytics_routes.hpp"
#include "http/auth_routes.hpp"
#include "http/block_test_routes.hpp"
#include "http/catalog_routes.hpp"
#include "http/decision_routes.hpp"
#include "http/pattern_routes.hpp"
#include "http/execution_log_routes.hpp"
#include "http/execution_routes.hpp"
#include "http/ops_routes.hpp"
#include "http/replies.hpp"
#include "http/webhook_routes.hpp"

#include <caf/all.hpp>

namespace baley::http {
namespace {

// Everything the API actor owns, in the order the parts need each other.
struct api_parts {
  api_parts(caf::scheduled_actor* self, api_actor me, api_init& init)
    : engine(init.engine), counters(init.counters), secrets(std::move(init.secrets)),
      ids(init.engine.time()), readers(init.readers), async(self, readers, engine.log()),
      catalog(std::move(init.catalog), async, engine.time()),
      relay(spawn_change_relay(self->system(), engine)),
      idempotency(std::move(init.idempotency)),
      launcher({.engine = engine,
                .catalog = catalog,
                .executions = executions,
                .idempotency = idempotency,
                .async = async,
                .counters = counters,
                .ids = ids,
                .observer = me}),
      auth(catalog, ids),
      catalog_routes({.catalog = catalog, .engine = engine, .async = async,
                      .secrets = secrets, .ids = ids}),
      executions_routes({.engine = engine,
                         .catalog = catalog,
                         .executions = executions,
                         .idempotency = idempotency,
                         .launcher = launcher,
                         .async = async,
                         .counters = counters}),
      log_routes({.engine = engine, .async = async, .counters = counters,
                  .system = self->system(), .relay = relay}),
      webhooks({.catalog = catalog, .limits = limits, .launcher = launcher, .async = async,
                .engine = engine, .secrets = secrets, .ids = ids}),
      block_tests({.catalog = catalog, .engine = engine, .async = async,
                   .launcher = launcher, .executions = executions_routes}),
      decisions({.catalog = catalog, .engine = engine, .async = async}),
      analytics({.catalog = catalog, .engine = engine, .async = async}),
      patterns({.catalog = catalog, .engine = engine, .async = async, .ids = ids}),
      ops(engine, async, counters) {}

  actors::engine& engine;
  metrics& counters;
  storage::secret_box secrets;
  actors::id_source ids;
  reader_pool readers;
  api_async async;
  catalog_store catalog;
  change_relay_actor relay;  // the workspace stream's one reader of every commit
  execution_registry executions;
  idempotency_index idempotency;
  webhook_limits limits;
  execution_launcher launcher;

  auth_routes auth;
  http::catalog_routes catalog_routes;
  execution_routes executions_routes;
  execution_log_routes log_routes;
  webhook_routes webhooks;
  block_test_routes block_tests;
  decision_routes decisions;
  analytics_routes analytics;
  pattern_routes patterns;
  ops_routes ops;
};

struct api_state {
  std::optional<api_parts> parts;
};

using api_self = api_actor::stateful_pointer<api_state>;

void dispatch(api_parts& p, const api_call_ptr& call) {
  using enum route_id;
  switch (call->route.id) {
    case health: return p.ops.health(call);
    case metrics: return p.ops.metrics_page(call);
    case ui: return p.ops.ui_page(call);
    case webhook_trigger: return p.webhooks.trigger(call);
    case session_create: return p.auth.session_create(call);
    default: break;
  }
  auto who = authenticate(p.catalog.get(), call->request);
  if (!who)
    return reply_error(call, 401, "unauthorized", "missing or invalid bearer token");
  const auto& w = *who;
  switch (call->route.id) {
    case session_delete: return p.auth.session_delete(call, w);
    case token_create: return p.auth.token_create(call, w);
    case token_delete: return p.auth.token_delete(call, w);
    case workspace_create: return p.auth.workspace_create(call, w);
    case workspace_current: return p.auth.workspace_current(call, w);
    case flow_create: return p.catalog_routes.flow_create(call, w);
    case flow_list: return p.catalog_routes.flow_list(call, w);
    case flow_get: return p.catalog_routes.flow_get(call, w);
    case flow_update: return p.catalog_routes.flow_update(call, w);
    case flow_delete: return p.catalog_routes.flow_delete(call, w);
    case flow_execute: return p.executions_routes.execute(call, w);
    case webhook_create: return p.webhooks.create(call, w);
    case webhook_get: return p.webhooks.get(call, w);
    case webhook_update: return p.webhooks.update(call, w);
    case webhook_delete: return p.webhooks.remove(call, w);
    case webhook_regenerate: return p.webhooks.regenerate(call, w);
    case webhook_logs: return p.webhooks.logs(call, w);
    case block_create: return p.catalog_routes.block_create(call, w);
    case block_list: return p.catalog_routes.block_list(call, w);
    case block_get: return p.catalog_routes.block_get(call, w);
    case block_update: return p.catalog_routes.block_update(call, w);
    case block_delete: return p.catalog_routes.block_delete(call, w);
    case block_test: return p.block_tests.test(call, w);
    case block_tests: return p.block_tests.list(call, w);
    case block_test_get: return p.block_tests.get(call, w);
    case connection_create: return p.catalog_routes.connection_create(call, w);
    case connection_list: return p.catalog_routes.connection_list(call, w);
    case connection_get: return p.catalog_routes.connection_get(call, w);
    case connection_delete: return p.catalog_routes.connection_delete(call, w);
    case execution_list: return p.executions_routes.list(call, w);
    case execution_get: return p.executions_routes.get(call, w);
    case execution_cancel: return p.executions_routes.cancel(call, w);
    case execution_stream: return p.log_routes.stream(call, w);
    case execution_replay: return p.log_routes.replay(call, w);
    case execution_audit: return p.log_routes.audit(call, w);
    case workspace_stream: return p.log_routes.workspace_stream(call, w);
    case decision_list: return p.decisions.list(call, w);
    case decision_get: return p.decisions.get(call, w);
    case decision_feedback: return p.decisions.feedback(call, w);
    case category_list: return p.decisions.categories(call, w);
    case category_create: return p.decisions.category_create(call, w);
    case category_delete: return p.decisions.category_delete(call, w);
    case analytics_block: return p.analytics.block(call, w);
    case analytics_cost: return p.analytics.cost(call, w);
    case analytics_failures: return p.analytics.failures(call, w);
    case pattern_create: return p.patterns.create(call, w);
    case pattern_list: return p.patterns.list(call, w);
    case pattern_get: return p.patterns.get(call, w);
    case pattern_update: return p.patterns.update(call, w);
    case pattern_delete: return p.patterns.remove(call, w);
    case pattern_matches: return p.patterns.matches(call, w);
    default: return reply_error(call, 500, "internal", "unrouted request");
  }
}

// Every pattern of the catalog to the matcher, which then matches the
// decisions still queued, before any execution resumes and makes new ones.
void start_pattern_matcher(api_parts& p) {
  std::vector<actors::pattern_definition> patterns;
  for (const auto* record : p.catalog.get().all_patterns())
    if (auto definition = definition_of(*record))
      patterns.push_back(std::move(*definition));
  p.engine.patterns().start(std::move(patterns));
}

api_actor::behavior_type api(api_self self, std::shared_ptr<api_init> init) {
  auto& parts = self->state.parts.emplace(self, api_actor(self), *init);
  start_pattern_matcher(parts);
  for (auto& r : actors::resume_all(parts.engine, std::move(init->resumable),
                                    actors::execution_observer(api_actor(self))))
    parts.executions.add(r.execution_id, r.actor, r.workspace_id);
  // At shutdown, stop the executions still running; they resume at the next
  // start from their streams.
  self->set_exit_handler([self](caf::exit_msg& msg) {
    for (auto& actor : self->state.parts->executions.take_all())
      self->send_exit(actor, caf::exit_reason::user_shutdown);
    self->send_exit(self->state.parts->relay, caf::exit_reason::user_shutdown);
    self->quit(msg.reason);
  });
  return {
    [self](api_atom, const api_call_ptr& call) { dispatch(*self->state.parts, call); },
    [self](resume_atom, std::uint64_t token) { self->state.parts->async.resume(token); },
    [self](actors::started_atom, const std::string& execution_id) {
      self->state.parts->executions_routes.started(execution_id);
    },
    [self](actors::finished_atom, const actors::execution_finished& finished) {
      self->state.parts->executions_routes.finished(finished);
    },
  };
}

} // namespace

api_actor spawn_api(caf::actor_system& system, std::shared_ptr<api_init> init) {
  return system.spawn(api, std::move(init));
}

} // namespace baley::http
