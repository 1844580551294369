// Helpers shared by the route files: authentication, replies, appends that
// continue in the actor, reader threads, paging.
#include "http/api_state.hpp"

#include "runtime/stream_names.hpp"
#include "storage/crypto.hpp"

#include <caf/all.hpp>

#include <boost/json.hpp>

#include <charconv>

namespace baley::http {
namespace json = boost::json;

namespace {

// The session cookie's value, if the request carries one.
std::string_view session_cookie(const http_request& request) {
  std::string_view cookies = request.header("cookie");
  constexpr std::string_view name = "baley_session=";
  for (std::size_t pos = 0; pos < cookies.size();) {
    auto end = cookies.find(';', pos);
    auto item = cookies.substr(pos, end == std::string_view::npos ? end : end - pos);
    while (!item.empty() && item.front() == ' ')
      item.remove_prefix(1);
    if (item.substr(0, name.size()) == name)
      return item.substr(name.size());
    if (end == std::string_view::npos)
      break;
    pos = end + 1;
  }
  return {};
}

} // namespace

std::optional<authenticated> authenticate(const api_state& state, const http_request& request) {
  std::string_view secret;
  auto header = request.header("authorization");
  constexpr std::string_view bearer = "Bearer ";
  if (header.size() > bearer.size() && header.substr(0, bearer.size()) == bearer)
    secret = header.substr(bearer.size());
  else
    secret = session_cookie(request);
  if (secret.empty() || secret.size() > 256)
    return std::nullopt;
  const auto* token = state.catalog.token_by_hash(storage::sha256_hex(secret));
  if (!token || !state.catalog.workspace(token->workspace_id))
    return std::nullopt;
  return authenticated{token->workspace_id, token->id, token->role};
}

void reply(const api_call_ptr& call, http_response response) {
  call->exchange->reply(std::move(response));
}

void reply_json(const api_call_ptr& call, int status, const json::value& body) {
  reply(call, json_response(status, body));
}

void reply_error(const api_call_ptr& call, int status, std::string_view code,
                 std::string_view message) {
  reply(call, error_response(status, code, message));
}

void reply_not_found(const api_call_ptr& call, std::string_view what) {
  reply_error(call, 404, "not_found", std::string(what) + " not found");
}

void reply_no_content(const api_call_ptr& call, std::optional<std::string> set_cookie) {
  http_response r;
  r.status = 204;
  r.content_type.clear();
  if (set_cookie)
    r.headers.emplace_back("Set-Cookie", std::move(*set_cookie));
  reply(call, std::move(r));
}

std::function<void(api_actor, const error*)> no_content_once_saved(const api_call_ptr& call) {
  return [call](api_actor, const error* failed) {
    if (failed)
      return reply_error(call, 503, failed->code, failed->message);
    reply_no_content(call);
  };
}

void append_then(api_actor self, storage::append_request request, commit_continuation then) {
  auto token = self->state.next_append++;
  self->state.pending.emplace(token, std::move(then));
  caf::actor me = caf::actor_cast<caf::actor>(self);
  self->state.engine->log().append_async(
    std::move(request), [me, token](result<std::vector<storage::committed_event>> r) {
      auto outcome = std::make_shared<const actors::append_outcome>(
        actors::append_outcome{std::move(r)});
      caf::anon_send(me, actors::appended_atom::value, token,
                     actors::append_outcome_ptr(std::move(outcome)));
    });
}

void on_reader(api_actor self, std::function<void()> work) {
  auto& st = self->state;
  auto& reader = st.readers[st.next_reader++ % st.readers.size()];
  caf::anon_send(reader, actors::run_atom::value, std::move(work));
}

void on_reader_then(api_actor self, std::function<actor_continuation()> work) {
  caf::actor me = caf::actor_cast<caf::actor>(self);
  on_reader(self, [me, work = std::move(work)] {
    auto then = work();
    caf::anon_send(me, actors::run_atom::value, std::move(then));
  });
}

void save_config(api_actor self, std::string stream, runtime::config_event event,
                 std::function<void(api_actor, const error*)> then) {
  storage::append_request request;
  request.stream = std::move(stream);
  request.events.push_back(runtime::serialize_config_event(event));
  append_then(self, std::move(request),
              [event = std::move(event), then = std::move(then)](
                api_actor self, result<std::vector<storage::committed_event>> r) {
                if (!r) {
                  then(self, &r.error());
                  return;
                }
                self->state.catalog.apply(event);
                then(self, nullptr);
              });
}

result<page_request> page_of(const http_request& request) {
  page_request page;
  if (auto limit = request.query_param("limit")) {
    std::size_t n = 0;
    auto [end, ec] = std::from_chars(limit->data(), limit->data() + limit->size(), n);
    if (ec != std::errc() || end != limit->data() + limit->size() || n < 1 || n > 500)
      return error{"invalid_query", "limit must be an integer from 1 to 500", {}};
    page.limit = n;
  }
  if (auto cursor = request.query_param("cursor"); cursor && !cursor->empty())
    page.cursor = *cursor;
  return page;
}

json::object page_body(json::array items, std::optional<std::string> next) {
  json::object body;
  body["items"] = std::move(items);
  body["nextCursor"] = next ? json::value(*next) : json::value();
  return body;
}

void reply_projection_page(api_actor self, const api_call_ptr& call, std::string_view family,
                           std::string owner, std::function<bool(const json::object&)> keep) {
  auto page = page_of(call->request);
  if (!page)
    return reply_error(call, 400, page.error().code, page.error().message);
  auto* engine = self->state.engine;
  on_reader(self, [engine, call, family = std::string(family), owner = std::move(owner),
                   keep = std::move(keep), page = *page] {
    auto prefix = owner + '\0';
    std::optional<std::string> after;
    if (page.cursor)
      after = prefix + *page.cursor;
    json::array items;
    auto next = engine->log().scan_projection_page(
      family, prefix, after, true, page.limit, [&](std::string_view, std::string_view value) {
        boost::system::error_code ec;
        auto item = json::parse(value, ec);
        if (ec || !item.is_object() || (keep && !keep(item.get_object())))
          return false;
        items.push_back(std::move(item));
        return true;
      });
    if (!next)
      return reply_error(call, 400, next.error().code, next.error().message);
    std::optional<std::string> cursor;
    if (*next)
      cursor = next->value().substr(prefix.size());
    reply_json(call, 200, page_body(std::move(items), cursor));
  });
}

result<std::string> new_token_secret() {
  auto random = storage::random_token(32);
  if (!random)
    return random.error();
  return "bly_" + *random;
}

} // namespace baley::http
