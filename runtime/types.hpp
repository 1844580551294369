// Distinct numbers get distinct types: a stream's index and the log's global
// position are never mixed up. Plus the few names every folder shares.
#pragma once

#include <cstdint>
#include <string>

namespace baley {

using stream_index = std::uint64_t;     // 0,1,2,... within one stream
using global_position = std::uint64_t;  // order of all events in the log
using unix_ms = std::int64_t;           // milliseconds since the Unix epoch

} // namespace baley
