// The API actor's state and the helpers every route file shares. The API
// actor owns the catalog (workspaces, tokens, flows, blocks, connections,
// webhooks, folded from the log) and is the only writer of the config
// streams; executions run in their own actors, log reads run on readers.
#pragma once

#include "actors/clock.hpp"
#include "actors/engine.hpp"
#include "http/api_call.hpp"
#include "http/metrics.hpp"
#include "runtime/catalog/catalog.hpp"
#include "runtime/resilience/token_bucket.hpp"
#include "storage/secret_box.hpp"

#include <caf/allowed_unsafe_message_type.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/stateful_actor.hpp>

#include <deque>
#include <functional>
#include <map>
#include <unordered_map>

namespace baley::http {

struct authenticated {
  std::string workspace_id;
  std::string token_id;
  std::string role;  // admin | member | session
};

struct api_settings {
  std::string data_dir;
  bool debug = false;
};

struct api_state;
using api_actor = caf::stateful_actor<api_state>*;
using commit_continuation =
  std::function<void(api_actor, result<std::vector<storage::committed_event>>)>;

struct idempotency_entry {
  std::string execution_id;
  unix_ms at = 0;
};

struct api_state {
  actors::engine* engine = nullptr;
  metrics* counters = nullptr;
  std::shared_ptr<storage::secret_box> secrets;
  api_settings settings;
  runtime::catalog catalog;

  // Executions running now, by id, and the requests waiting on them.
  struct live_execution {
    caf::actor actor;
    std::string workspace_id;
  };
  std::map<std::string, live_execution> live;
  std::map<std::string, std::vector<api_call_ptr>> waiting;     // ?wait=
  std::map<std::string, std::vector<api_call_ptr>> cancelling;  // cancel
  // Executions whose execution_start is not committed yet: nobody hears of
  // them before it is (an acknowledged execution is never lost).
  std::map<std::string, std::function<void(api_actor, const error*)>> starting;
  std::map<std::string, idempotency_entry> idempotency;         // ws ‖ \0 ‖ key
  std::map<std::string, runtime::token_bucket> webhook_buckets;  // by flow id

  std::map<std::uint64_t, commit_continuation> pending;  // appends in flight
  std::uint64_t next_append = 0;
  std::vector<caf::actor> readers;
  std::size_t next_reader = 0;
  actors::id_source ids;
};

// ---- shared helpers (api_support.cpp) --------------------------------------

std::optional<authenticated> authenticate(const api_state& state, const http_request& request);

void reply(const api_call_ptr& call, http_response response);
void reply_json(const api_call_ptr& call, int status, const boost::json::value& body);
void reply_error(const api_call_ptr& call, int status, std::string_view code,
                 std::string_view message);
void reply_not_found(const api_call_ptr& call, std::string_view what);
// 204 with no body (and, say, a Set-Cookie header).
void reply_no_content(const api_call_ptr& call, std::optional<std::string> set_cookie = {});
// The continuation of save_config for a deletion: 503 with the log's error,
// else 204.
std::function<void(api_actor, const error*)> no_content_once_saved(const api_call_ptr& call);

// Appends and continues in the actor once committed (or failed).
void append_then(api_actor self, storage::append_request request, commit_continuation then);

// Runs `work` on a reader thread (log reads, folds, jq compiles, JSON
// building); it answers the exchange itself.
void on_reader(api_actor self, std::function<void()> work);

// Runs `work` on a reader thread, then the continuation it returns back in
// the API actor (for work whose result changes the actor's state).
using actor_continuation = std::function<void(api_actor)>;
void on_reader_then(api_actor self, std::function<actor_continuation()> work);

// Appends one config event to its stream; the catalog folds it once
// committed, then `then` runs.
void save_config(api_actor self, std::string stream, runtime::config_event event,
                 std::function<void(api_actor, const error*)> then);

// ?limit= (default 50, max 500) and ?cursor=; 400 `invalid_query` otherwise.
struct page_request {
  std::size_t limit = 50;
  std::optional<std::string> cursor;
};
result<page_request> page_of(const http_request& request);

// On a reader: one page, newest first, of the JSON values stored in
// `family` under owner ‖ '\0' (cursors are the ids after it); `keep` filters.
void reply_projection_page(api_actor self, const api_call_ptr& call, std::string_view family,
                           std::string owner,
                           std::function<bool(const boost::json::object&)> keep = {});

// {"items": [...], "nextCursor": ...} over items sorted newest first by id.
boost::json::object page_body(boost::json::array items, std::optional<std::string> next);

// "bly_" + 32 random bytes, base64url.
result<std::string> new_token_secret();

// ---- route handlers, one file per resource ---------------------------------

void session_create(api_actor, const api_call_ptr&, const authenticated&);
void session_delete(api_actor, const api_call_ptr&, const authenticated&);
void token_create(api_actor, const api_call_ptr&, const authenticated&);
void token_delete(api_actor, const api_call_ptr&, const authenticated&);
void workspace_create(api_actor, const api_call_ptr&, const authenticated&);
void workspace_current(api_actor, const api_call_ptr&, const authenticated&);

void flow_create(api_actor, const api_call_ptr&, const authenticated&);
void flow_list(api_actor, const api_call_ptr&, const authenticated&);
void flow_get(api_actor, const api_call_ptr&, const authenticated&);
void flow_update(api_actor, const api_call_ptr&, const authenticated&);
void flow_delete(api_actor, const api_call_ptr&, const authenticated&);
void block_create(api_actor, const api_call_ptr&, const authenticated&);
void block_list(api_actor, const api_call_ptr&, const authenticated&);
void block_get(api_actor, const api_call_ptr&, const authenticated&);
void block_update(api_actor, const api_call_ptr&, const authenticated&);
void block_delete(api_actor, const api_call_ptr&, const authenticated&);
void connection_create(api_actor, const api_call_ptr&, const authenticated&);
void connection_list(api_actor, const api_call_ptr&, const authenticated&);
void connection_get(api_actor, const api_call_ptr&, const authenticated&);
void connection_delete(api_actor, const api_call_ptr&, const authenticated&);

void flow_execute(api_actor, const api_call_ptr&, const authenticated&);
void execution_list(api_actor, const api_call_ptr&, const authenticated&);
void execution_get(api_actor, const api_call_ptr&, const authenticated&);
void execution_cancel(api_actor, const api_call_ptr&, const authenticated&);
void execution_replay(api_actor, const api_call_ptr&, const authenticated&);
void execution_audit(api_actor, const api_call_ptr&, const authenticated&);
void execution_stream(api_actor, const api_call_ptr&, const authenticated&);
// Starts an execution of a saved flow version (compiling it on a reader
// first when it is not cached); `then` gets its id, or the error.
struct launch_request {
  std::string workspace_id;
  std::string flow_id;
  std::uint64_t flow_version = 0;
  boost::json::value input;
  runtime::trigger trigger;
  std::string idempotency_key;  // empty: none
  std::map<std::string, std::uint64_t> block_versions;  // filled by launch_execution
};
using launch_continuation =
  std::function<void(api_actor, const std::string* execution_id, const error* failed)>;
void launch_execution(api_actor self, launch_request launch, launch_continuation then);

// The execution actor `id` committed its execution_start (observer message).
void execution_started(api_actor, const std::string& execution_id);
// The execution actor `id` ended (observer message).
void execution_finished(api_actor, const actors::execution_finished& finished);

void webhook_create(api_actor, const api_call_ptr&, const authenticated&);
void webhook_get(api_actor, const api_call_ptr&, const authenticated&);
void webhook_delete(api_actor, const api_call_ptr&, const authenticated&);
void webhook_regenerate(api_actor, const api_call_ptr&, const authenticated&);
void webhook_logs(api_actor, const api_call_ptr&, const authenticated&);
void webhook_trigger(api_actor, const api_call_ptr&);  // no bearer token

void health(api_actor, const api_call_ptr&);
void metrics_page(api_actor, const api_call_ptr&);
void ui_page(api_actor, const api_call_ptr&);

} // namespace baley::http

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(baley::http::actor_continuation)
