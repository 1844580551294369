// Webhooks (API.md, "Webhooks"): a secret per flow, encrypted at rest and
// compared in constant time; a token bucket per flow; every call to a flow
// with a webhook is logged (accepted or not) as an event on hooklog/<flowId>
// with its webhook_logs projection.
#include "http/api_state.hpp"

#include "runtime/stream_names.hpp"
#include "runtime/time_format.hpp"
#include "storage/crypto.hpp"

#include <boost/json.hpp>

#include <cmath>

namespace baley::http {
namespace json = boost::json;

namespace {

std::string hooklog_stream(const std::string& flow_id) {
  return "hooklog/" + flow_id;
}

std::string trigger_url(const api_call_ptr& call, const std::string& flow_id,
                        const std::string& secret) {
  auto host = call->request.header("host");
  std::string path = "/api/webhooks/" + flow_id + "/" + secret;
  return host.empty() ? path : "http://" + std::string(host) + path;
}

json::object webhook_json(api_actor self, const api_call_ptr& call,
                          const runtime::webhook_record& hook, const std::string& secret) {
  return json::object{{"url", trigger_url(call, hook.flow_id, secret)},
                      {"secret", secret},
                      {"enabled", hook.enabled},
                      {"ratePerSecond", hook.rate_per_second},
                      {"burst", hook.burst},
                      {"createdAt", format_rfc3339_ms(hook.created_at)}};
}

// Saves a webhook with a new secret and answers `status` with it.
void save_webhook(api_actor self, const api_call_ptr& call, const std::string& ws,
                  const std::string& flow_id, bool enabled, double rate, double burst,
                  int status) {
  auto secret = storage::random_token(24);
  if (!secret)
    return reply_error(call, 500, "internal", "no randomness for a secret");
  auto sealed = self->state.secrets->seal(*secret);
  if (!sealed)
    return reply_error(call, 500, "internal", "the secret could not be encrypted");
  runtime::config_event event{actors::now_ms(),
                              runtime::webhook_saved{flow_id, ws, *sealed, enabled, rate, burst}};
  save_config(self, names::webhook_stream(flow_id), std::move(event),
              [=, secret = *secret](api_actor self, const error* failed) {
                if (failed)
                  return reply_error(call, 503, failed->code, failed->message);
                self->state.webhook_buckets.erase(flow_id);
                const auto* hook = self->state.catalog.webhook(ws, flow_id);
                reply_json(call, status, webhook_json(self, call, *hook, secret));
              });
}

// One webhook call, logged whatever its outcome; `id` is the call's id
// (the execution's trigger names it), or empty for a new one.
void log_call(api_actor self, const api_call_ptr& call, const std::string& flow_id, int status,
              const std::string& execution_id, const std::string& error_text,
              std::string id = {}) {
  auto now = actors::now_ms();
  std::chrono::duration<double, std::milli> took =
    std::chrono::steady_clock::now() - call->request.received;
  if (id.empty())
    id = self->state.ids.next_id();
  json::object entry{{"id", id},
                     {"receivedAt", format_rfc3339_ms(now - static_cast<unix_ms>(took.count()))},
                     {"status", status},
                     {"executionId", execution_id.empty() ? json::value() : json::value(execution_id)},
                     {"error", error_text.empty() ? json::value() : json::value(error_text)},
                     {"remoteAddr", call->request.remote_address},
                     {"bodyBytes", call->request.refused_body_bytes.value_or(
                                     call->request.body.size())},
                     {"latencyMs", std::round(took.count() * 1000) / 1000}};
  json::object event{{"type", "webhook_called"}, {"ts", format_rfc3339_ms(now)},
                     {"flowId", flow_id}};
  for (const auto& [key, value] : entry)
    event[key] = value;
  storage::append_request request;
  request.stream = hooklog_stream(flow_id);
  request.events.push_back(json::serialize(event));
  request.projections.push_back({std::string(storage::families::webhook_logs),
                                 flow_id + '\0' + id, json::serialize(entry), false});
  append_then(self, std::move(request), [](api_actor, auto) {});
}

void refuse(api_actor self, const api_call_ptr& call, const std::string& flow_id, int status,
            std::string_view code, const std::string& message) {
  log_call(self, call, flow_id, status, {}, message);
  reply_error(call, status, code, message);
}

} // namespace

void webhook_create(api_actor self, const api_call_ptr& call, const authenticated& who) {
  const auto& flow_id = call->param(0);
  if (!self->state.catalog.flow(who.workspace_id, flow_id))
    return reply_not_found(call, "flow " + flow_id);
  if (self->state.catalog.webhook(who.workspace_id, flow_id))
    return reply_error(call, 409, "webhook_exists",
                       "flow " + flow_id + " has a webhook; regenerate its secret instead");
  double rate = 10, burst = 20;
  if (call->body && call->body->is_object()) {
    const auto& o = call->body->get_object();
    auto number = [&](std::string_view key, double& out, double min, double max) {
      auto* v = o.if_contains(key);
      if (!v)
        return true;
      if (!v->is_number() || v->to_number<double>() < min || v->to_number<double>() > max)
        return false;
      out = v->to_number<double>();
      return true;
    };
    if (!number("ratePerSecond", rate, 0.01, 10'000) || !number("burst", burst, 1, 100'000))
      return reply_error(call, 400, "invalid_request",
                         "ratePerSecond must be 0.01..10000 and burst 1..100000");
  }
  save_webhook(self, call, who.workspace_id, flow_id, true, rate, burst, 201);
}

void webhook_get(api_actor self, const api_call_ptr& call, const authenticated& who) {
  const auto* hook = self->state.catalog.webhook(who.workspace_id, call->param(0));
  if (!hook)
    return reply_not_found(call, "webhook of flow " + call->param(0));
  auto secret = self->state.secrets->unseal(hook->secret_sealed);
  if (!secret)
    return reply_error(call, 500, secret.error().code, "the webhook secret cannot be read");
  reply_json(call, 200, webhook_json(self, call, *hook, *secret));
}

void webhook_regenerate(api_actor self, const api_call_ptr& call, const authenticated& who) {
  const auto* hook = self->state.catalog.webhook(who.workspace_id, call->param(0));
  if (!hook)
    return reply_not_found(call, "webhook of flow " + call->param(0));
  save_webhook(self, call, who.workspace_id, hook->flow_id, hook->enabled,
               hook->rate_per_second, hook->burst, 200);
}

void webhook_delete(api_actor self, const api_call_ptr& call, const authenticated& who) {
  const auto* hook = self->state.catalog.webhook(who.workspace_id, call->param(0));
  if (!hook)
    return reply_not_found(call, "webhook of flow " + call->param(0));
  runtime::config_event event{actors::now_ms(), runtime::webhook_deleted{hook->flow_id}};
  save_config(self, names::webhook_stream(hook->flow_id), std::move(event),
              no_content_once_saved(call));
}

void webhook_logs(api_actor self, const api_call_ptr& call, const authenticated& who) {
  const auto& flow_id = call->param(0);
  if (!self->state.catalog.flow(who.workspace_id, flow_id))
    return reply_not_found(call, "flow " + flow_id);
  reply_projection_page(self, call, storage::families::webhook_logs, flow_id);
}

void webhook_trigger(api_actor self, const api_call_ptr& call) {
  auto& st = self->state;
  const auto& flow_id = call->param(0);
  const auto* hook = st.catalog.webhook(flow_id);
  if (!hook || !hook->enabled)
    return reply_not_found(call, "webhook of flow " + flow_id);
  if (call->body_error && call->body_error->code == "body_too_large")
    return refuse(self, call, flow_id, 413, call->body_error->code, call->body_error->message);
  auto secret = st.secrets->unseal(hook->secret_sealed);
  if (!secret || !storage::constant_time_equal(*secret, call->param(1)))
    return refuse(self, call, flow_id, 401, "unauthorized", "invalid webhook secret");
  auto now = actors::now_ms();
  auto bucket = st.webhook_buckets.try_emplace(flow_id, hook->rate_per_second, hook->burst, now)
                  .first;
  auto decision = bucket->second.take(now);
  if (!decision.allowed) {
    auto seconds = std::max<std::int64_t>(1, (decision.retry_after_ms + 999) / 1000);
    log_call(self, call, flow_id, 429, {}, "rate limited");
    auto response = error_response(429, "rate_limited", "too many webhook calls; retry later");
    response.headers.emplace_back("Retry-After", std::to_string(seconds));
    return reply(call, std::move(response));
  }
  if (call->body_error)
    return refuse(self, call, flow_id, 400, call->body_error->code, call->body_error->message);
  const auto* flow = st.catalog.flow(hook->workspace_id, flow_id);
  if (!flow)
    return reply_not_found(call, "flow " + flow_id);
  if (!flow->enabled())
    return refuse(self, call, flow_id, 409, "flow_disabled", "flow " + flow_id + " is disabled");
  json::value input = call->body ? *call->body : json::value(json::object());
  auto call_id = st.ids.next_id();
  launch_request launch{.workspace_id = hook->workspace_id,
                        .flow_id = flow->id,
                        .flow_version = flow->version,
                        .input = std::move(input),
                        .trigger = {.kind = runtime::trigger_kind::webhook,
                                    .webhook_call_id = call_id}};
  launch_execution(self, std::move(launch),
                   [call, flow_id, call_id](api_actor self, const std::string* id,
                                            const error* failed) {
                     if (failed)
                       return refuse(self, call, flow_id,
                                     failed->code == "invalid_input" ? 400 : 500, failed->code,
                                     failed->message);
                     log_call(self, call, flow_id, 202, *id, {}, call_id);
                     reply_json(call, 202, json::object{{"executionId", *id},
                                                        {"status", "started"}});
                   });
}

} // namespace baley::http
