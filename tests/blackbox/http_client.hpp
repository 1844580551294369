// HTTP from black-box tests: one request on a new connection through libcurl
// (easy interface), its response with case-insensitive headers and its JSON
// body. raw_tcp.hpp and sse_client.hpp go below curl, byte by byte.
#pragma once

#include <boost/json.hpp>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace baley::testing {

using header_list = std::vector<std::pair<std::string, std::string>>;

// Response headers in arrival order; names compare case-insensitively.
struct header_map {
  header_list fields;
  // The first value of `name`, or nullopt.
  std::optional<std::string> get(std::string_view name) const;
  std::vector<std::string> all(std::string_view name) const;
  bool has(std::string_view name) const { return get(name).has_value(); }
  // Adds a `Name: value` line (surrounding blanks and CRLF trimmed); false
  // when it has no colon.
  bool add_line(std::string_view line);
};

// JSON text to a value, nesting as deep as it comes (Boost stops at 32).
boost::json::value parse_deep(std::string_view text, boost::system::error_code& ec);

struct http_response {
  long status = 0;  // 0 when the request did not get an answer
  header_map headers;
  std::string body;
  std::string transport_error;  // curl's message when status == 0

  // The body as JSON; a test failure (and null) when it is not JSON.
  boost::json::value json() const;
  // body.error / body.code, or "" when absent.
  std::string code() const;
  std::string error() const;
};

// One request on a new connection. `body` nullopt sends none; a body is sent
// as is (Content-Type application/json unless `headers` names one). curl's
// `Expect: 100-continue` is switched off.
http_response request(std::string_view method, const std::string& url,
                      const header_list& headers = {},
                      const std::optional<std::string>& body = std::nullopt,
                      std::chrono::milliseconds timeout = std::chrono::seconds(30));

} // namespace baley::testing
