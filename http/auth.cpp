// Authentication by bearer token or session cookie; see auth.hpp.
#include "http/auth.hpp"

#include "http/credentials.hpp"

#include <algorithm>
#include <cctype>

namespace baley::http {

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

std::optional<authenticated> authenticate(const runtime::catalog& catalog,
                                          const http_request& request) {
  std::string_view secret;
  auto header = request.header("authorization");
  // The scheme's name is case-insensitive (RFC 7235 §2.1): "bearer x" too.
  constexpr std::string_view bearer = "bearer ";
  auto scheme_is_bearer = header.size() > bearer.size()
                          && std::equal(bearer.begin(), bearer.end(), header.begin(),
                                        [](char want, char c) {
                                          return want == std::tolower(static_cast<unsigned char>(c));
                                        });
  if (scheme_is_bearer)
    secret = header.substr(bearer.size());
  else
    secret = session_cookie(request);
  if (secret.empty() || secret.size() > 256)
    return std::nullopt;
  const auto* token = catalog.token_by_hash(sha256_hex(secret));
  if (!token || !catalog.workspace(token->workspace_id))
    return std::nullopt;
  return authenticated{token->workspace_id, token->id, token->role};
}

result<std::string> new_token_secret() {
  auto random = random_token(32);
  if (!random)
    return random.error();
  return "bly_" + *random;
}

} // namespace baley::http
