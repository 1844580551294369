// The request sink in front of the API actor: routing, 404/405 and JSON body
// parsing happen here on the Asio thread, so a malformed request never
// reaches an actor and changes nothing.
#include "http/api_sink.hpp"

#include "runtime/json_text.hpp"

#include <caf/all.hpp>

namespace baley::http {

api_sink::api_sink(api_actor api, metrics& counters)
  : api_(std::move(api)), counters_(counters) {}

void api_sink::handle(http_request request, exchange_ptr exchange) {
  exchange->count_in(&counters_, request.received);
  auto found = find_route(request.method, request.path);
  if (!found.match) {
    if (found.miss.status == 405) {
      auto response = error_response(405, "method_not_allowed",
                                     request.method + " is not allowed on " + request.path);
      response.headers.emplace_back("Allow", found.miss.allow);
      exchange->reply(std::move(response));
    } else {
      exchange->reply(error_response(404, "not_found", "no route " + request.path));
    }
    return;
  }
  exchange->set_route_label(found.match->label);
  auto call = std::make_shared<api_call>();
  call->route = std::move(*found.match);
  if (request.refused_body_bytes) {
    error too_large{"body_too_large", "request body over the limit of 1 MiB", {}};
    if (call->route.id != route_id::webhook_trigger) {
      exchange->reply(error_response(413, too_large.code, too_large.message));
      return;
    }
    call->body_error = std::move(too_large);  // the webhook logs it
  } else if (!request.body.empty()) {
    auto body = runtime::parse_json(request.body);
    if (!body) {
      call->body_error = body.error();
      if (call->route.id != route_id::webhook_trigger) {
        exchange->reply(error_response(400, body.error().code, body.error().message));
        return;
      }
    } else {
      call->body = std::move(body).value();
    }
  }
  call->request = std::move(request);
  call->exchange = std::move(exchange);
  caf::anon_send(api_, api_atom_v, std::move(call));
}

} // namespace baley::http
