// Sessions, tokens and workspaces (API.md, "Session and tokens"). Secrets are
// shown once and stored only as SHA-256.
#include "http/api_state.hpp"

#include "runtime/stream_names.hpp"
#include "storage/crypto.hpp"

#include <boost/json.hpp>

namespace baley::http {
namespace json = boost::json;

namespace {

// A non-empty string field of the body, else a 400 already sent.
std::optional<std::string> required_name(const api_call_ptr& call, std::string_view field) {
  const json::value* v = nullptr;
  if (call->body && call->body->is_object())
    v = call->body->get_object().if_contains(field);
  if (!v || !v->is_string() || v->get_string().empty() || v->get_string().size() > 200) {
    reply_error(call, 400, "invalid_request",
                "body needs \"" + std::string(field) + "\": a string of 1 to 200 characters");
    return std::nullopt;
  }
  return std::string(v->get_string());
}

// Creates a token of `role` in `workspace_id` and answers with `then(id, secret)`.
void create_token(api_actor self, const api_call_ptr& call, const std::string& workspace_id,
                  std::string name, std::string role,
                  std::function<void(api_actor, const std::string&, const std::string&)> then) {
  auto secret = new_token_secret();
  if (!secret)
    return reply_error(call, 500, "internal", "no randomness for a token");
  auto id = self->state.ids.next_id();
  runtime::config_event event{actors::now_ms(),
                              runtime::token_created{id, workspace_id, std::move(name),
                                                     storage::sha256_hex(*secret), std::move(role)}};
  save_config(self, names::workspace_stream(workspace_id), std::move(event),
              [call, id, secret = *secret, then](api_actor self, const error* failed) {
                if (failed)
                  return reply_error(call, 503, failed->code, failed->message);
                then(self, id, secret);
              });
}

void revoke(api_actor self, const api_call_ptr& call, const std::string& workspace_id,
            const std::string& token_id, std::function<void()> then) {
  runtime::config_event event{actors::now_ms(), runtime::token_revoked{token_id}};
  save_config(self, names::workspace_stream(workspace_id), std::move(event),
              [call, then](api_actor, const error* failed) {
                if (failed)
                  return reply_error(call, 503, failed->code, failed->message);
                then();
              });
}

} // namespace

void session_create(api_actor self, const api_call_ptr& call, const authenticated&) {
  auto token = required_name(call, "token");
  if (!token)
    return;
  const auto* record = self->state.catalog.token_by_hash(storage::sha256_hex(*token));
  if (!record)
    return reply_error(call, 401, "unauthorized", "invalid token");
  create_token(self, call, record->workspace_id, "browser session", "session",
               [call](api_actor, const std::string&, const std::string& secret) {
                 reply_no_content(call, "baley_session=" + secret
                                          + "; Path=/; HttpOnly; SameSite=Strict");
               });
}

void session_delete(api_actor self, const api_call_ptr& call, const authenticated& who) {
  auto done = [call] {
    reply_no_content(call, "baley_session=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0");
  };
  if (who.role != "session")
    return done();
  revoke(self, call, who.workspace_id, who.token_id, done);
}

void token_create(api_actor self, const api_call_ptr& call, const authenticated& who) {
  auto name = required_name(call, "name");
  if (!name)
    return;
  create_token(self, call, who.workspace_id, *name, "member",
               [call](api_actor, const std::string& id, const std::string& secret) {
                 reply_json(call, 201, json::object{{"id", id}, {"token", secret}});
               });
}

void token_delete(api_actor self, const api_call_ptr& call, const authenticated& who) {
  const auto& id = call->param(0);
  if (!self->state.catalog.token(who.workspace_id, id))
    return reply_not_found(call, "token " + id);
  revoke(self, call, who.workspace_id, id, [call] { reply_no_content(call); });
}

void workspace_create(api_actor self, const api_call_ptr& call, const authenticated& who) {
  if (who.role != "admin")
    return reply_error(call, 403, "forbidden", "only an admin token creates workspaces");
  auto name = required_name(call, "name");
  if (!name)
    return;
  auto workspace_id = self->state.ids.next_id();
  runtime::config_event event{actors::now_ms(), runtime::workspace_created{workspace_id, *name}};
  save_config(self, names::workspace_stream(workspace_id), std::move(event),
              [call, workspace_id, name = *name](api_actor self, const error* failed) {
                if (failed)
                  return reply_error(call, 503, failed->code, failed->message);
                create_token(self, call, workspace_id, "first token", "member",
                             [call, workspace_id, name](api_actor, const std::string&,
                                                        const std::string& secret) {
                               reply_json(call, 201, json::object{{"id", workspace_id},
                                                                  {"name", name},
                                                                  {"token", secret}});
                             });
              });
}

void workspace_current(api_actor self, const api_call_ptr& call, const authenticated& who) {
  const auto* ws = self->state.catalog.workspace(who.workspace_id);
  reply_json(call, 200, json::object{{"id", ws->id}, {"name", ws->name}});
}

} // namespace baley::http
