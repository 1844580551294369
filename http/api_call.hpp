// A request on its way to the API actor: the matched route, the request, its
// JSON body (parsed and depth-checked on the Asio thread) and its exchange.
#pragma once

#include "http/exchange.hpp"
#include "http/routes.hpp"
#include "runtime/result.hpp"

#include <caf/allowed_unsafe_message_type.hpp>

#include <boost/json/value.hpp>

#include <memory>
#include <optional>

namespace baley::http {

struct api_call {
  route_match route;
  http_request request;
  std::optional<boost::json::value> body;  // absent for an empty body
  std::optional<error> body_error;         // webhook triggers log bad bodies
  exchange_ptr exchange;

  const std::string& param(std::size_t i) const { return route.params.at(i); }
};

// A pointer into this process (its exchange holds a connection): a
// local-only message.
using api_call_ptr = std::shared_ptr<api_call>;

} // namespace baley::http

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(baley::http::api_call_ptr)
