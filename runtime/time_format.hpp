// RFC 3339 timestamps with milliseconds in UTC ("2026-11-28T14:03:07.123Z"),
// computed without the C library's time zone state.
#pragma once

#include "runtime/result.hpp"
#include "runtime/types.hpp"

#include <string>
#include <string_view>

namespace baley {

std::string format_rfc3339_ms(unix_ms ms);

// Parses what format_rfc3339_ms writes (and seconds without fraction).
result<unix_ms> parse_rfc3339_ms(std::string_view text);

} // namespace baley
