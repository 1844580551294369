// Sessions, tokens and workspaces; see auth_routes.hpp.
#include "http/auth_routes.hpp"

#include "http/credentials.hpp"
#include "http/replies.hpp"
#include "runtime/stream_names.hpp"

#include <boost/json.hpp>

namespace baley::http {
namespace json = boost::json;
using runtime::token_role;

namespace {

constexpr const char* session_cookie_attributes = "; Path=/; HttpOnly; SameSite=Strict";

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

} // namespace

void auth_routes::create_token(const api_call_ptr& call, const std::string& workspace_id,
                               std::string name, token_role role, token_made then) {
  auto secret = new_token_secret();
  if (!secret)
    return reply_error(call, 500, "internal", "no randomness for a token");
  auto id = ids_.next_id();
  catalog_.save(names::workspace_stream(workspace_id),
                runtime::token_created{.token_id = id,
                                       .workspace_id = workspace_id,
                                       .name = std::move(name),
                                       .token_hash = sha256_hex(*secret),
                                       .role = role},
                [call, id, secret = *secret, then = std::move(then)](const error* failed) {
                  if (failed)
                    return reply_error(call, *failed);
                  then(id, secret);
                });
}

void auth_routes::revoke(const api_call_ptr& call, const std::string& workspace_id,
                         const std::string& token_id, std::function<void()> then) {
  catalog_.save(names::workspace_stream(workspace_id), runtime::token_revoked{token_id},
                [call, then = std::move(then)](const error* failed) {
                  if (failed)
                    return reply_error(call, *failed);
                  then();
                });
}

void auth_routes::session_create(const api_call_ptr& call) {
  auto token = required_name(call, "token");
  if (!token)
    return;
  const auto* record = catalog_.get().token_by_hash(sha256_hex(*token));
  if (!record)
    return reply_error(call, 401, "unauthorized", "invalid token");
  create_token(call, record->workspace_id, "browser session", token_role::session,
               [call](const std::string&, const std::string& secret) {
                 reply_no_content(call, "baley_session=" + secret + session_cookie_attributes);
               });
}

void auth_routes::session_delete(const api_call_ptr& call, const authenticated& who) {
  auto done = [call] {
    reply_no_content(call,
                     std::string("baley_session=") + session_cookie_attributes + "; Max-Age=0");
  };
  if (who.role != token_role::session)
    return done();
  revoke(call, who.workspace_id, who.token_id, done);
}

void auth_routes::token_create(const api_call_ptr& call, const authenticated& who) {
  auto name = required_name(call, "name");
  if (!name)
    return;
  create_token(call, who.workspace_id, *name, token_role::member,
               [call](const std::string& id, const std::string& secret) {
                 reply_json(call, 201, json::object{{"id", id}, {"token", secret}});
               });
}

void auth_routes::token_delete(const api_call_ptr& call, const authenticated& who) {
  const auto& id = call->param(0);
  if (!catalog_.get().token(who.workspace_id, id))
    return reply_not_found(call, "token " + id);
  revoke(call, who.workspace_id, id, [call] { reply_no_content(call); });
}

void auth_routes::workspace_create(const api_call_ptr& call, const authenticated& who) {
  if (who.role != token_role::admin)
    return reply_error(call, 403, "forbidden", "only an admin token creates workspaces");
  auto name = required_name(call, "name");
  if (!name)
    return;
  auto workspace_id = ids_.next_id();
  catalog_.save(names::workspace_stream(workspace_id),
                runtime::workspace_created{workspace_id, *name},
                [this, call, workspace_id, name = *name](const error* failed) {
                  if (failed)
                    return reply_error(call, *failed);
                  create_token(call, workspace_id, "first token", token_role::member,
                               [call, workspace_id, name](const std::string&,
                                                          const std::string& secret) {
                                 reply_json(call, 201, json::object{{"id", workspace_id},
                                                                    {"name", name},
                                                                    {"token", secret}});
                               });
                });
}

void auth_routes::workspace_current(const api_call_ptr& call, const authenticated& who) {
  const auto* ws = catalog_.get().workspace(who.workspace_id);
  reply_json(call, 200, json::object{{"id", ws->id}, {"name", ws->name}});
}

} // namespace baley::http
