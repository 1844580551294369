// Who a request speaks for: the bearer token, or the browser's session
// cookie, looked up by its SHA-256 in the catalog (API.md, "Conventions").
#pragma once

#include "http/exchange.hpp"
#include "runtime/catalog/catalog.hpp"

#include <optional>
#include <string>

namespace baley::http {

struct authenticated {
  std::string workspace_id;
  std::string token_id;
  runtime::token_role role = runtime::token_role::member;
};

// The token's holder, or nothing (401): no credential, an unknown or revoked
// token, or one whose workspace is gone.
std::optional<authenticated> authenticate(const runtime::catalog& catalog,
                                          const http_request& request);

// The session cookie's value in `request`, or "".
std::string_view session_cookie(const http_request& request);

// A new token secret: "bly_" + 32 random bytes, base64url.
result<std::string> new_token_secret();

} // namespace baley::http
