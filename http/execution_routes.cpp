// Executions (API.md, "Executions"): start (with ?wait= and Idempotency-Key),
// read, list, cancel, replay and audit. Reads run on reader threads; the
// actor keeps the live executions and the requests waiting on them.
#include "http/api_state.hpp"

#include "http/execution_view.hpp"
#include "http/sse_feed.hpp"
#include "runtime/execution/execution_summary.hpp"
#include "runtime/flow/block_resolution.hpp"
#include "runtime/flow/flow_input.hpp"
#include "runtime/stream_names.hpp"

#include <caf/all.hpp>

#include <boost/json.hpp>

#include <charconv>

namespace baley::http {
namespace json = boost::json;

namespace {

constexpr unix_ms idempotency_window_ms = 24 * 3600 * 1000;

// The summary of an execution, if it exists in `workspace_id`.
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

// The GET view of a stored execution, on a reader thread.
void reply_view(actors::engine* engine, const api_call_ptr& call, int status,
                const std::string& id) {
  auto state = actors::fold_execution(engine->log(), id);
  if (!state)
    return reply_error(call, 500, state.error().code, state.error().message);
  auto flow = engine->cached_flow(state->flow_id, state->flow_version, state->block_versions);
  if (!flow) {
    auto loaded = engine->load_flow(state->flow_id, state->flow_version, state->block_versions);
    if (loaded)
      flow = *loaded;
  }
  reply_json(call, status, execution_view(id, *state, flow.get(), actors::now_ms()));
}

result<std::optional<double>> wait_of(const http_request& request) {
  auto text = request.query_param("wait");
  if (!text)
    return std::optional<double>();
  double seconds = -1;
  auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), seconds);
  if (ec != std::errc() || end != text->data() + text->size() || seconds < 0 || seconds > 300)
    return error{"invalid_query", "wait must be a number of seconds from 0 to 300", {}};
  return std::optional<double>(seconds);
}

void wait_for(api_actor self, const api_call_ptr& call, const std::string& id, double seconds) {
  self->state.waiting[id].push_back(call);
  self->delayed_send(self, std::chrono::milliseconds(static_cast<long>(seconds * 1000)),
                     actors::wait_over_atom::value, id, call);
}

void reply_started(const api_call_ptr& call, const std::string& id) {
  reply_json(call, 202, json::object{{"executionId", id}, {"status", "started"}});
}

// An Idempotency-Key seen within 24 h: the same execution, nothing new.
bool replay_idempotent(api_actor self, const api_call_ptr& call, const authenticated& who,
                       const std::string& key, std::optional<double> wait) {
  auto& st = self->state;
  auto it = st.idempotency.find(who.workspace_id + '\0' + key);
  if (it == st.idempotency.end() || actors::now_ms() - it->second.at > idempotency_window_ms)
    return false;
  auto id = it->second.execution_id;
  if (!wait || *wait <= 0) {
    reply_started(call, id);
  } else if (st.live.count(id)) {
    wait_for(self, call, id, *wait);
  } else {
    auto* engine = st.engine;
    on_reader(self, [engine, call, id] { reply_view(engine, call, 200, id); });
  }
  return true;
}

// Starts an execution of a compiled flow and registers it as live; `then`
// runs once its execution_start is committed.
void start_compiled(api_actor self, const launch_request& launch,
                    std::shared_ptr<const runtime::compiled_flow> compiled,
                    launch_continuation then) {
  auto& st = self->state;
  auto id = st.ids.next_id();
  std::vector<storage::projection_put> projections;
  if (!launch.idempotency_key.empty()) {
    auto key = launch.workspace_id + '\0' + launch.idempotency_key;
    auto now = actors::now_ms();
    if (st.idempotency.size() >= 4096 && st.idempotency.size() % 1024 == 0)
      std::erase_if(st.idempotency, [now](const auto& entry) {
        return now - entry.second.at > idempotency_window_ms;
      });
    st.idempotency[key] = {id, now};
    projections.push_back({std::string(storage::families::idempotency), key,
                           json::serialize(json::object{{"executionId", id}, {"at", now}}),
                           false});
  }
  st.starting[id] = [id, then = std::move(then)](api_actor self, const error* failed) {
    if (failed)
      return then(self, nullptr, failed);
    then(self, &id, nullptr);
  };
  auto started = st.engine->start({.flow_id = launch.flow_id,
                                   .flow_version = launch.flow_version,
                                   .flow = std::move(compiled),
                                   .input = launch.input,
                                   .trigger = launch.trigger,
                                   .workspace_id = launch.workspace_id,
                                   .block_versions = launch.block_versions,
                                   .execution_id = id,
                                   .start_projections = std::move(projections),
                                   .observer = caf::actor_cast<caf::actor>(self)});
  st.live.emplace(id, api_state::live_execution{started.actor, launch.workspace_id});
  st.counters->execution_started();
}

} // namespace

void launch_execution(api_actor self, launch_request launch, launch_continuation then) {
  auto& st = self->state;
  // The flow runs its stored blocks at their latest versions; the execution
  // records them (execution_start.blockVersions).
  if (const auto* flow = st.catalog.flow(launch.workspace_id, launch.flow_id))
    for (const auto& id : runtime::block_ids_in(flow->flow))
      if (const auto* block = st.catalog.block(launch.workspace_id, id))
        launch.block_versions[id] = block->version;
  if (auto compiled = st.engine->cached_flow(launch.flow_id, launch.flow_version,
                                             launch.block_versions)) {
    if (auto valid = runtime::validate_flow_input(*compiled, launch.input); !valid)
      return then(self, nullptr, &valid.error());
    return start_compiled(self, launch, std::move(compiled), std::move(then));
  }
  auto* engine = st.engine;
  on_reader_then(self, [engine, launch = std::move(launch),
                        then = std::move(then)]() mutable -> actor_continuation {
    auto loaded = engine->load_flow(launch.flow_id, launch.flow_version, launch.block_versions);
    return [launch = std::move(launch), then = std::move(then),
            loaded = std::move(loaded)](api_actor self) {
      if (!loaded)
        return then(self, nullptr, &loaded.error());
      if (auto valid = runtime::validate_flow_input(**loaded, launch.input); !valid)
        return then(self, nullptr, &valid.error());
      start_compiled(self, launch, *loaded, then);
    };
  });
}

void flow_execute(api_actor self, const api_call_ptr& call, const authenticated& who) {
  auto& st = self->state;
  const auto* flow = st.catalog.flow(who.workspace_id, call->param(0));
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
    return reply_error(call, 400, wait.error().code, wait.error().message);
  std::string key(call->request.header("idempotency-key"));
  if (key.size() > 255)
    return reply_error(call, 400, "invalid_request", "Idempotency-Key is over 255 characters");
  if (!key.empty() && replay_idempotent(self, call, who, key, *wait))
    return;
  launch_request launch{.workspace_id = who.workspace_id,
                        .flow_id = flow->id,
                        .flow_version = flow->version,
                        .input = std::move(input),
                        .trigger = {.kind = runtime::trigger_kind::api, .token_id = who.token_id},
                        .idempotency_key = std::move(key)};
  launch_execution(self, std::move(launch),
                   [call, wait = *wait](api_actor self, const std::string* id,
                                        const error* failed) {
                     if (failed)
                       return reply_error(call, failed->code == "invalid_input" ? 400 : 503,
                                          failed->code, failed->message);
                     if (wait && *wait > 0)
                       return wait_for(self, call, *id, *wait);
                     reply_started(call, *id);
                   });
}

void execution_started(api_actor self, const std::string& execution_id) {
  auto it = self->state.starting.find(execution_id);
  if (it == self->state.starting.end())
    return;
  auto then = std::move(it->second);
  self->state.starting.erase(it);
  then(self, nullptr);
}

void execution_finished(api_actor self, const actors::execution_finished& finished) {
  auto& st = self->state;
  const auto& id = finished.execution_id;
  st.live.erase(id);
  if (auto it = st.starting.find(id); it != st.starting.end()) {
    auto then = std::move(it->second);
    st.starting.erase(it);
    error failed{"log_failed", "the execution could not be recorded: the event log failed", {}};
    then(self, &failed);
  }
  st.counters->execution_finished(finished.status);
  auto waiting = st.waiting.find(id);
  auto cancelling = st.cancelling.find(id);
  if (waiting != st.waiting.end() && finished.state) {
    auto flow = st.engine->cached_flow(finished.state->flow_id, finished.state->flow_version,
                                       finished.state->block_versions);
    auto view = execution_view(id, *finished.state, flow.get(), actors::now_ms());
    for (const auto& call : waiting->second)
      reply_json(call, 200, view);
    st.waiting.erase(waiting);
  }
  if (cancelling != st.cancelling.end()) {
    for (const auto& call : cancelling->second) {
      if (finished.status == "cancelled")
        reply_json(call, 200, json::object{{"status", "cancelled"}});
      else
        reply_error(call, 409, "invalid_state", "execution " + id + " already " + finished.status);
    }
    st.cancelling.erase(cancelling);
  }
}

void execution_get(api_actor self, const api_call_ptr& call, const authenticated& who) {
  auto* engine = self->state.engine;
  on_reader(self, [engine, call, ws = who.workspace_id] {
    const auto& id = call->param(0);
    if (!read_summary(engine->log(), ws, id))
      return reply_not_found(call, "execution " + id);
    reply_view(engine, call, 200, id);
  });
}

void execution_list(api_actor self, const api_call_ptr& call, const authenticated& who) {
  auto flow_id = call->request.query_param("flowId");
  auto status = call->request.query_param("status");
  reply_projection_page(
    self, call, storage::families::executions_by_workspace, who.workspace_id,
    [flow_id, status](const json::object& summary) {
      auto matches = [&summary](std::string_view key, const std::optional<std::string>& want) {
        auto* v = summary.if_contains(key);
        return !want || (v && v->is_string() && v->get_string() == *want);
      };
      return matches("flowId", flow_id) && matches("status", status);
    });
}

void execution_cancel(api_actor self, const api_call_ptr& call, const authenticated& who) {
  auto& st = self->state;
  const auto& id = call->param(0);
  auto live = st.live.find(id);
  if (live != st.live.end() && live->second.workspace_id == who.workspace_id) {
    st.cancelling[id].push_back(call);
    self->send(live->second.actor, actors::cancel_atom::value, std::string("cancelled by API"));
    return;
  }
  auto* engine = st.engine;
  on_reader(self, [engine, call, ws = who.workspace_id, id] {
    auto summary = read_summary(engine->log(), ws, id);
    if (!summary)
      return reply_not_found(call, "execution " + id);
    reply_error(call, 409, "invalid_state",
                "execution " + id + " is already " + std::string(runtime::status_name(summary->status)));
  });
}

void execution_replay(api_actor self, const api_call_ptr& call, const authenticated& who) {
  stream_index from = 0;
  if (auto text = call->request.query_param("fromIndex")) {
    auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), from);
    if (ec != std::errc() || end != text->data() + text->size())
      return reply_error(call, 400, "invalid_query", "fromIndex must be a non-negative integer");
  }
  auto* engine = self->state.engine;
  on_reader(self, [engine, call, ws = who.workspace_id, from] {
    const auto& id = call->param(0);
    auto summary = read_summary(engine->log(), ws, id);
    if (!summary)
      return reply_not_found(call, "execution " + id);
    auto events = engine->log().read_stream(names::execution_stream(id), from);
    if (!events)
      return reply_error(call, 500, events.error().code, events.error().message);
    // The stored records, spliced as they are: the same objects as the SSE
    // data lines, {"index","prev","hash","event"}.
    std::string body = "{\"events\":[";
    for (std::size_t i = 0; i < events->size(); ++i) {
      if (i)
        body += ',';
      body += (*events)[i].record;
    }
    body += "],\"status\":\"" + std::string(runtime::status_name(summary->status)) + "\"}";
    http_response r;
    r.body = std::move(body);
    reply(call, std::move(r));
  });
}

void execution_audit(api_actor self, const api_call_ptr& call, const authenticated& who) {
  auto* engine = self->state.engine;
  on_reader(self, [engine, call, ws = who.workspace_id] {
    const auto& id = call->param(0);
    if (!read_summary(engine->log(), ws, id))
      return reply_not_found(call, "execution " + id);
    auto stream = names::execution_stream(id);
    auto report = engine->log().audit(std::string_view(stream));
    if (!report)
      return reply_error(call, 500, report.error().code, report.error().message);
    json::object body{{"valid", report->valid}, {"events", report->events}};
    if (report->valid) {
      body["head"] = report->head;
    } else {
      body["firstBadIndex"] = report->bad_index.value_or(0);
      body["reason"] = report->reason;
    }
    reply_json(call, 200, body);
  });
}

} // namespace baley::http

namespace baley::http {
namespace {

// Last-Event-ID (wins) or ?lastEventIndex=: the client has everything up to
// N, so the stream starts at N + 1.
result<stream_index> stream_start(const http_request& request) {
  std::optional<std::string> text;
  std::string_view source;
  if (auto header = request.header("last-event-id"); !header.empty()) {
    text = std::string(header);
    source = "Last-Event-ID";
  } else if (auto param = request.query_param("lastEventIndex")) {
    text = *param;
    source = "lastEventIndex";
  }
  // -1: the client has nothing yet, as with no value at all.
  if (!text || *text == "-1")
    return stream_index{0};
  stream_index last = 0;
  auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), last);
  if (ec != std::errc() || end != text->data() + text->size() || text->empty())
    return error{"invalid_last_event_id",
                 std::string(source) + " must be an event index (an integer from -1)", {}};
  return last + 1;
}

} // namespace

void execution_stream(api_actor self, const api_call_ptr& call, const authenticated& who) {
  auto from = stream_start(call->request);
  if (!from)
    return reply_error(call, 400, from.error().code, from.error().message);
  sse_feed_setup setup{names::execution_stream(call->param(0)), *from, call->exchange,
                       self->state.engine, self->state.counters};
  auto* system = &self->system();
  on_reader(self, [system, call, ws = who.workspace_id, setup = std::move(setup)]() mutable {
    if (!read_summary(setup.engine->log(), ws, call->param(0)))
      return reply_not_found(call, "execution " + call->param(0));
    spawn_sse_feed(*system, std::move(setup));
  });
}

} // namespace baley::http
