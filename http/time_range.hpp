// The ?from=&to= of the decision and analytics routes: RFC 3339 times, or
// their defaults; "invalid_query" naming the parameter when one is not a time
// or from is after to.
#pragma once

#include "http/exchange.hpp"
#include "runtime/result.hpp"
#include "runtime/types.hpp"

#include <optional>

namespace baley::http {

struct time_range {
  unix_ms from = 0;
  unix_ms to = 0;  // inclusive

  bool holds(unix_ms at) const { return at >= from && at <= to; }
};

// Without `from`, `default_from`; without `to`, `default_to`.
result<time_range> time_range_of(const http_request& request, unix_ms default_from,
                                 unix_ms default_to);

} // namespace baley::http
