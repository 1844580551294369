// What every `baley bench` scenario shares: percentiles of its samples, its
// one-line JSON error, and a blocking HTTP/1.1 call to a server on loopback
// (for setup and for timing one request at a time).
#pragma once

#include "runtime/result.hpp"

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace baley::bench {

// The value at `fraction` (0.5 for the median) of `values`, which it
// reorders; 0 when there are none.
double percentile(std::vector<double>& values, double fraction);

// {"error":{"code","message"}}
std::string error_line(std::string_view code, std::string_view message);
inline std::string error_line(const error& e) { return error_line(e.code, e.message); }

// One request on a new connection (Connection: close): the status and the
// body, or "io_error" when the server cannot be reached.
result<std::pair<int, std::string>> loopback_call(std::uint16_t port, const std::string& method,
                                                  const std::string& path,
                                                  const std::string& token,
                                                  const std::string& body = "");

} // namespace baley::bench
