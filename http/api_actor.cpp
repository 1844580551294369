// The API actor: dispatches routed requests to the route files, continues
// appends once committed, and tracks live executions. Plus start_api: catalog
// fold, first-start bootstrap and recovery.
#include "http/api.hpp"

#include "actors/catalog_loader.hpp"
#include "actors/recovery.hpp"
#include "http/api_sink.hpp"
#include "http/api_state.hpp"
#include "runtime/stream_names.hpp"
#include "storage/crypto.hpp"

#include <caf/all.hpp>

#include <boost/json.hpp>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <unistd.h>

namespace baley::http {
namespace json = boost::json;

namespace {

// A thread of its own for log reads, folds and JSON building.
caf::behavior reader(caf::event_based_actor*) {
  return {
    [](actors::run_atom, const std::function<void()>& work) { work(); },
  };
}

void dispatch(api_actor self, const api_call_ptr& call) {
  using enum route_id;
  switch (call->route.id) {
    case health: return http::health(self, call);
    case metrics: return metrics_page(self, call);
    case ui: return ui_page(self, call);
    case webhook_trigger: return http::webhook_trigger(self, call);
    // The token in the body is the credential.
    case session_create: return http::session_create(self, call, authenticated{});
    default: break;
  }
  auto who = authenticate(self->state, call->request);
  if (!who)
    return reply_error(call, 401, "unauthorized", "missing or invalid bearer token");
  const auto& w = *who;
  switch (call->route.id) {
    case session_delete: return http::session_delete(self, call, w);
    case token_create: return http::token_create(self, call, w);
    case token_delete: return http::token_delete(self, call, w);
    case workspace_create: return http::workspace_create(self, call, w);
    case workspace_current: return http::workspace_current(self, call, w);
    case flow_create: return http::flow_create(self, call, w);
    case flow_list: return http::flow_list(self, call, w);
    case flow_get: return http::flow_get(self, call, w);
    case flow_update: return http::flow_update(self, call, w);
    case flow_delete: return http::flow_delete(self, call, w);
    case flow_execute: return http::flow_execute(self, call, w);
    case webhook_create: return http::webhook_create(self, call, w);
    case webhook_get: return http::webhook_get(self, call, w);
    case webhook_delete: return http::webhook_delete(self, call, w);
    case webhook_regenerate: return http::webhook_regenerate(self, call, w);
    case webhook_logs: return http::webhook_logs(self, call, w);
    case block_create: return http::block_create(self, call, w);
    case block_list: return http::block_list(self, call, w);
    case block_get: return http::block_get(self, call, w);
    case block_update: return http::block_update(self, call, w);
    case block_delete: return http::block_delete(self, call, w);
    case connection_create: return http::connection_create(self, call, w);
    case connection_list: return http::connection_list(self, call, w);
    case connection_get: return http::connection_get(self, call, w);
    case connection_delete: return http::connection_delete(self, call, w);
    case execution_list: return http::execution_list(self, call, w);
    case execution_get: return http::execution_get(self, call, w);
    case execution_stream: return http::execution_stream(self, call, w);
    case execution_cancel: return http::execution_cancel(self, call, w);
    case execution_replay: return http::execution_replay(self, call, w);
    case execution_audit: return http::execution_audit(self, call, w);
    default: return reply_error(call, 500, "internal", "unrouted request");
  }
}

void continue_append(api_actor self, std::uint64_t token,
                     const actors::append_outcome_ptr& outcome) {
  auto it = self->state.pending.find(token);
  if (it == self->state.pending.end())
    return;
  auto then = std::move(it->second);
  self->state.pending.erase(it);
  then(self, outcome->events);
}

struct api_init {
  actors::engine* engine;
  metrics* counters;
  std::shared_ptr<storage::secret_box> secrets;
  api_settings settings;
  runtime::catalog catalog;
  std::vector<caf::actor> readers;
  std::map<std::string, idempotency_entry> idempotency;
  // Spawned by the API actor itself, so that each is registered before any
  // message of it (or any request about it) can arrive.
  std::vector<actors::resumable_execution> resumable;
};

caf::behavior api_behavior(api_actor self, std::shared_ptr<api_init> init) {
  auto& st = self->state;
  st.engine = init->engine;
  st.counters = init->counters;
  st.secrets = init->secrets;
  st.settings = init->settings;
  st.catalog = std::move(init->catalog);
  st.readers = std::move(init->readers);
  st.idempotency = std::move(init->idempotency);
  for (auto& r : actors::resume_all(*st.engine, std::move(init->resumable),
                                    caf::actor_cast<caf::actor>(self)))
    st.live.emplace(r.execution_id, api_state::live_execution{r.actor, r.workspace_id});
  // At shutdown, stop the executions still running; they resume at the next
  // start from their streams.
  self->set_exit_handler([self](caf::exit_msg& msg) {
    for (auto& [id, live] : self->state.live)
      self->send_exit(live.actor, caf::exit_reason::user_shutdown);
    self->state.live.clear();
    self->quit(msg.reason);
  });
  return {
    [self](api_atom, const api_call_ptr& call) { dispatch(self, call); },
    [self](actors::run_atom, const actor_continuation& then) { then(self); },
    [self](actors::appended_atom, std::uint64_t token,
           const actors::append_outcome_ptr& outcome) { continue_append(self, token, outcome); },
    [self](actors::started_atom, const std::string& execution_id) {
      execution_started(self, execution_id);
    },
    [self](actors::finished_atom, const actors::execution_finished& finished) {
      execution_finished(self, finished);
    },
    [self](actors::wait_over_atom, const std::string& execution_id, const api_call_ptr& call) {
      auto& waiting = self->state.waiting[execution_id];
      auto it = std::find(waiting.begin(), waiting.end(), call);
      if (it == waiting.end())
        return;
      waiting.erase(it);
      if (waiting.empty())
        self->state.waiting.erase(execution_id);
      json::object body{{"executionId", execution_id}, {"status", "started"}};
      reply_json(call, 202, body);
    },
  };
}

// Idempotency keys of the last 24 h, from their projection.
result<std::map<std::string, idempotency_entry>> load_idempotency(storage::event_log& log) {
  std::map<std::string, idempotency_entry> keys;
  auto oldest = actors::now_ms() - 24 * 3600 * 1000;
  auto scanned = log.scan_projection(
    storage::families::idempotency, "", [&](std::string_view key, std::string_view value) {
      boost::system::error_code ec;
      auto entry = json::parse(value, ec);
      if (ec || !entry.is_object())
        return;
      const auto& o = entry.get_object();
      auto* id = o.if_contains("executionId");
      auto* at = o.if_contains("at");
      if (!id || !id->is_string() || !at || !at->is_number())
        return;
      auto when = at->to_number<unix_ms>();
      if (when >= oldest)
        keys.emplace(std::string(key), idempotency_entry{std::string(id->get_string()), when});
    });
  if (!scanned)
    return scanned.error();
  return keys;
}

// Writes the admin token to DATA/admin-token with mode 0600 (created new).
status write_admin_token(const std::string& data_dir, const std::string& token) {
  auto path = (std::filesystem::path(data_dir) / "admin-token").string();
  auto temp = path + ".tmp";
  ::unlink(temp.c_str());
  int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0)
    return error{"io_error", "cannot write " + path + ": " + std::strerror(errno), {}};
  auto text = token + "\n";
  bool written = ::write(fd, text.data(), text.size()) == ssize_t(text.size())
                 && ::fsync(fd) == 0;
  ::close(fd);
  if (!written || ::rename(temp.c_str(), path.c_str()) != 0)
    return error{"io_error", "cannot write " + path + ": " + std::strerror(errno), {}};
  return ok;
}

// First start: workspace `default` and its admin token.
result<std::string> bootstrap(actors::engine& engine, runtime::catalog& catalog,
                              const std::string& data_dir) {
  auto secret = new_token_secret();
  if (!secret)
    return secret.error();
  if (auto written = write_admin_token(data_dir, *secret); !written)
    return written.error();
  auto now = actors::now_ms();
  auto workspace_id = engine.new_id();
  std::vector<runtime::config_event> events = {
    {now, runtime::workspace_created{workspace_id, "default"}},
    {now, runtime::token_created{engine.new_id(), workspace_id, "admin",
                                 storage::sha256_hex(*secret), "admin"}},
  };
  storage::append_request request;
  request.stream = names::workspace_stream(workspace_id);
  request.expected_next = 0;
  for (const auto& e : events)
    request.events.push_back(runtime::serialize_config_event(e));
  auto committed = engine.log().append(std::move(request));
  if (!committed)
    return committed.error();
  for (const auto& e : events)
    catalog.apply(e);
  return *secret;
}

} // namespace

result<api_handle> start_api(caf::actor_system& system, actors::engine& engine,
                             metrics& counters, const api_options& options) {
  auto secrets = storage::secret_box::open(options.data_dir);
  if (!secrets)
    return secrets.error();
  auto catalog = actors::load_catalog(engine.log());
  if (!catalog)
    return catalog.error();
  api_handle handle;
  if (catalog->empty()) {
    auto token = bootstrap(engine, *catalog, options.data_dir);
    if (!token)
      return token.error();
    handle.admin_token = *token;
  }
  // The connections ai-blocks use, with their keys unsealed into memory.
  if (auto loaded = actors::load_connections(*catalog, *secrets, engine.connections()); !loaded)
    return loaded.error();
  auto keys = load_idempotency(engine.log());
  if (!keys)
    return keys.error();
  auto recovery = actors::plan_recovery(engine);
  if (!recovery)
    return recovery.error();
  auto init = std::make_shared<api_init>();
  init->engine = &engine;
  init->counters = &counters;
  init->secrets = std::make_shared<storage::secret_box>(std::move(secrets).value());
  init->settings = api_settings{options.data_dir, options.debug};
  init->catalog = std::move(catalog).value();
  init->idempotency = std::move(keys).value();
  handle.resumed = recovery->resumable.size();
  handle.not_resumed = std::move(recovery->failed);
  init->resumable = std::move(recovery->resumable);
  for (int i = 0; i < std::max(1, options.readers); ++i)
    init->readers.push_back(system.spawn<caf::detached>(reader));
  handle.readers = init->readers;
  handle.actor = system.spawn(api_behavior, init);
  handle.sink = std::make_unique<api_sink>(handle.actor, counters);
  return handle;
}

void stop_api(api_handle& handle) {
  if (handle.actor)
    caf::anon_send_exit(handle.actor, caf::exit_reason::user_shutdown);
  for (auto& r : handle.readers)
    caf::anon_send_exit(r, caf::exit_reason::user_shutdown);
  handle.readers.clear();
}

} // namespace baley::http
