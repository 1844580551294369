// time_range_of; see time_range.hpp.
#include "http/time_range.hpp"

#include "runtime/time_format.hpp"

namespace baley::http {

result<time_range> time_range_of(const http_request& request, unix_ms default_from,
                                 unix_ms default_to) {
  time_range range{default_from, default_to};
  for (auto [name, slot] : {std::pair{"from", &range.from}, std::pair{"to", &range.to}}) {
    auto text = request.query_param(name);
    if (!text)
      continue;
    auto parsed = parse_rfc3339_ms(*text);
    if (!parsed)
      return error{"invalid_query",
                   std::string(name) + " must be an RFC 3339 time, like 2026-01-31T00:00:00.000Z",
                   {}};
    *slot = *parsed;
  }
  if (range.from > range.to)
    return error{"invalid_query", "from must not be after to", {}};
  return range;
}

} // namespace baley::http
