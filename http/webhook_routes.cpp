// Webhooks; see webhook_routes.hpp.
#include "http/webhook_routes.hpp"

#include "http/credentials.hpp"
#include "http/paging.hpp"
#include "http/replies.hpp"
#include "runtime/numbers.hpp"
#include "runtime/ops/ops_events.hpp"
#include "runtime/stream_names.hpp"
#include "runtime/time_format.hpp"
#include "storage/projections.hpp"

#include <boost/json.hpp>

#include <iostream>

namespace baley::http {
namespace json = boost::json;

namespace {

std::string trigger_url(const api_call_ptr& call, const std::string& flow_id,
                        const std::string& secret) {
  auto host = call->request.header("host");
  std::string path = "/api/webhooks/" + flow_id + "/" + secret;
  return host.empty() ? path : "http://" + std::string(host) + path;
}

json::object webhook_json(const api_call_ptr& call, const runtime::webhook_record& hook,
                          const std::string& secret) {
  return json::object{{"url", trigger_url(call, hook.flow_id, secret)},
                      {"secret", secret},
                      {"enabled", hook.enabled},
                      {"ratePerSecond", hook.rate_per_second},
                      {"burst", hook.burst},
                      {"createdAt", format_rfc3339_ms(hook.created_at)}};
}

} // namespace

// Saves a webhook with a new secret and answers `status` with it.
void webhook_routes::save(const api_call_ptr& call, const std::string& ws,
                          const std::string& flow_id, bool enabled, double rate, double burst,
                          int status) {
  auto secret = random_token(24);
  if (!secret)
    return reply_error(call, 500, "internal", "no randomness for a secret");
  auto sealed = p_.secrets.seal(*secret);
  if (!sealed)
    return reply_error(call, 500, "internal", "the secret could not be encrypted");
  write(call, flow_id, runtime::webhook_saved{flow_id, ws, *sealed, enabled, rate, burst},
        [this, call, ws, flow_id, status, secret = *secret](const error* failed) {
          if (failed)
            return reply_error(call, *failed);
          p_.limits.forget(flow_id);
          const auto* hook = p_.catalog.get().webhook(ws, flow_id);
          if (!hook)  // its flow was deleted meanwhile
            return reply_not_found(call, "flow " + flow_id);
          reply_json(call, status, webhook_json(call, *hook, secret));
        });
}

void webhook_routes::write(const api_call_ptr& call, const std::string& flow_id,
                           runtime::config_event_payload payload,
                           std::function<void(const error*)> then) {
  if (!writing_.insert(flow_id).second)
    return reply_error(call, 409, "conflict",
                       "another request is changing the webhook of flow " + flow_id +
                         " at the same time; read it again and retry");
  p_.catalog.save(names::webhook_stream(flow_id), std::move(payload),
                  [this, flow_id, then = std::move(then)](const error* failed) {
                    writing_.erase(flow_id);
                    then(failed);
                  });
}

// The webhook as GET shows it, secret included.
void webhook_routes::reply_current(const api_call_ptr& call, const std::string& ws,
                                   const std::string& flow_id) {
  const auto* hook = p_.catalog.get().webhook(ws, flow_id);
  if (!hook)
    return reply_not_found(call, "webhook of flow " + flow_id);
  auto secret = p_.secrets.unseal(hook->secret_sealed);
  if (!secret)
    return reply_error(call, 500, secret.error().code, "the webhook secret cannot be read");
  reply_json(call, 200, webhook_json(call, *hook, *secret));
}

// One webhook call, logged whatever its outcome; `call_id` names it (the
// execution's trigger does too), or is empty for a new id.
void webhook_routes::log_call(const api_call_ptr& call, const std::string& flow_id, int status,
                              const std::string& execution_id, const std::string& error_text,
                              std::string call_id, std::function<void()> then) {
  auto now = p_.engine.time()->now();
  std::chrono::duration<double, std::milli> took =
    std::chrono::steady_clock::now() - call->request.received;
  runtime::webhook_called entry{
    .call_id = call_id.empty() ? p_.ids.next_id() : std::move(call_id),
    .flow_id = flow_id,
    .received_at = now - static_cast<unix_ms>(took.count()),
    .status = status,
    .execution_id = execution_id,
    .error = error_text,
    .remote_addr = call->request.remote_address,
    .body_bytes = call->request.refused_body_bytes.value_or(call->request.body.size()),
    .latency_ms = took.count()};
  storage::append_request request{
    .stream = names::webhook_log_stream(flow_id),
    .events = {runtime::serialize_ops_event({now, entry})},
    .projections = {storage::projections::webhook_log(
      flow_id, entry.call_id, json::serialize(runtime::webhook_call_entry(entry)))}};
  p_.async.append_then(std::move(request), [flow_id, id = entry.call_id,
                                             then = std::move(then)](api_async::committed& r) {
    if (then)
      then();
    // Only the call's log line is missing, and the log has failed for
    // everyone: say so.
    if (!r)
      std::cerr << json::serialize(json::object{{"msg", "webhook call not logged"},
                                                {"flowId", flow_id},
                                                {"callId", id},
                                                {"error", r.error().message}})
                << std::endl;
  });
}

void webhook_routes::refuse(const api_call_ptr& call, const std::string& flow_id, int status,
                            std::string_view code, const std::string& message) {
  log_call(call, flow_id, status, {}, message, {},
           [call, status, code = std::string(code), message] {
             reply_error(call, status, code, message);
           });
}

void webhook_routes::create(const api_call_ptr& call, const authenticated& who) {
  const auto& flow_id = call->param(0);
  const auto& catalog = p_.catalog.get();
  if (!catalog.flow(who.workspace_id, flow_id))
    return reply_not_found(call, "flow " + flow_id);
  if (catalog.webhook(who.workspace_id, flow_id))
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
  save(call, who.workspace_id, flow_id, true, rate, burst, 201);
}

void webhook_routes::get(const api_call_ptr& call, const authenticated& who) {
  reply_current(call, who.workspace_id, call->param(0));
}

void webhook_routes::regenerate(const api_call_ptr& call, const authenticated& who) {
  const auto* hook = p_.catalog.get().webhook(who.workspace_id, call->param(0));
  if (!hook)
    return reply_not_found(call, "webhook of flow " + call->param(0));
  save(call, who.workspace_id, hook->flow_id, hook->enabled, hook->rate_per_second, hook->burst,
       200);
}

// Checks the whole body before anything changes: the first field refused
// is named, and the webhook stays as it was.
void webhook_routes::update(const api_call_ptr& call, const authenticated& who) {
  const auto& flow_id = call->param(0);
  const auto& catalog = p_.catalog.get();
  if (!catalog.flow(who.workspace_id, flow_id))
    return reply_not_found(call, "flow " + flow_id);
  const auto* hook = catalog.webhook(who.workspace_id, flow_id);
  if (!hook)
    return reply_not_found(call, "webhook of flow " + flow_id);
  auto refuse_body = [&](const std::string& message) {
    reply_error(call, 400, "invalid_request", message);
  };
  if (!call->body || !call->body->is_object() || call->body->get_object().empty())
    return refuse_body("the body must be a JSON object with any of enabled, ratePerSecond, burst");
  runtime::webhook_saved changed{hook->flow_id, hook->workspace_id, hook->secret_sealed,
                                 hook->enabled, hook->rate_per_second, hook->burst};
  for (const auto& [key, value] : call->body->get_object()) {
    if (key == "enabled") {
      if (!value.is_bool())
        return refuse_body("enabled must be true or false");
      changed.enabled = value.get_bool();
    } else if (key == "ratePerSecond") {
      if (!value.is_number() || value.to_number<double>() < 0.01 ||
          value.to_number<double>() > 10'000)
        return refuse_body("ratePerSecond must be a number 0.01..10000");
      changed.rate_per_second = value.to_number<double>();
    } else if (key == "burst") {
      auto burst = runtime::json_integer(value, 1, 100'000);
      if (!burst)
        return refuse_body("burst must be a whole number 1..100000");
      changed.burst = static_cast<double>(*burst);
    } else {
      return refuse_body("unknown field '" + std::string(key) +
                         "': only enabled, ratePerSecond and burst can be changed");
    }
  }
  // A new rate limit starts a new bucket (full, at the new burst) with the
  // next call; enabling or disabling alone keeps the bucket as it is.
  bool new_limit =
    changed.rate_per_second != hook->rate_per_second || changed.burst != hook->burst;
  write(call, flow_id, std::move(changed),
        [this, call, ws = who.workspace_id, flow_id, new_limit](const error* failed) {
          if (failed)
            return reply_error(call, *failed);
          if (new_limit)
            p_.limits.forget(flow_id);
          reply_current(call, ws, flow_id);
        });
}

void webhook_routes::remove(const api_call_ptr& call, const authenticated& who) {
  const auto* hook = p_.catalog.get().webhook(who.workspace_id, call->param(0));
  if (!hook)
    return reply_not_found(call, "webhook of flow " + call->param(0));
  write(call, hook->flow_id, runtime::webhook_deleted{hook->flow_id},
        [call](const error* failed) {
          if (failed)
            return reply_error(call, *failed);
          reply_no_content(call);
        });
}

void webhook_routes::logs(const api_call_ptr& call, const authenticated& who) {
  const auto& flow_id = call->param(0);
  if (!p_.catalog.get().flow(who.workspace_id, flow_id))
    return reply_not_found(call, "flow " + flow_id);
  reply_projection_page(p_.async, p_.engine.log(), call, storage::families::webhook_logs,
                        storage::projections::webhook_logs(flow_id));
}

void webhook_routes::trigger(const api_call_ptr& call) {
  const auto& flow_id = call->param(0);
  const auto& catalog = p_.catalog.get();
  const auto* hook = catalog.webhook(flow_id);
  if (!hook || !hook->enabled)
    return reply_not_found(call, "webhook of flow " + flow_id);
  if (call->body_error && call->body_error->code == "body_too_large")
    return refuse(call, flow_id, 413, call->body_error->code, call->body_error->message);
  auto secret = p_.secrets.unseal(hook->secret_sealed);
  if (!secret || !constant_time_equal(*secret, call->param(1)))
    return refuse(call, flow_id, 401, "unauthorized", "invalid webhook secret");
  auto decision = p_.limits.take(*hook, p_.engine.time()->now());
  if (!decision.allowed) {
    auto seconds = std::max<std::int64_t>(1, (decision.retry_after_ms + 999) / 1000);
    auto response = error_response(429, "rate_limited", "too many webhook calls; retry later");
    response.headers.emplace_back("Retry-After", std::to_string(seconds));
    return log_call(call, flow_id, 429, {}, "rate limited", {},
                    [call, response = std::move(response)]() mutable {
                      reply(call, std::move(response));
                    });
  }
  if (call->body_error)
    return refuse(call, flow_id, 400, call->body_error->code, call->body_error->message);
  const auto* flow = catalog.flow(hook->workspace_id, flow_id);
  if (!flow)
    return reply_not_found(call, "flow " + flow_id);
  if (!flow->enabled())
    return refuse(call, flow_id, 409, "flow_disabled", "flow " + flow_id + " is disabled");
  json::value input = call->body ? *call->body : json::value(json::object());
  auto call_id = p_.ids.next_id();
  launch_request launch{.workspace_id = hook->workspace_id,
                        .flow_id = flow->id,
                        .flow_version = flow->version,
                        .input = std::move(input),
                        .trigger = {.kind = runtime::trigger_kind::webhook,
                                    .webhook_call_id = call_id}};
  p_.launcher.launch(std::move(launch), [this, call, flow_id, call_id](const std::string* id,
                                                                        const error* failed) {
    if (failed)
      return refuse(call, flow_id, http_status_of(failed->code), failed->code, failed->message);
    log_call(call, flow_id, 202, *id, {}, call_id, [call, id = *id] {
      reply_json(call, 202, json::object{{"executionId", id}, {"status", "started"}});
    });
  });
}

} // namespace baley::http
