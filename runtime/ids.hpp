// Identifiers: UUIDv7 text (time-ordered) built from a timestamp and random
// bytes the caller supplies, so that the domain stays free of clocks and RNGs.
#pragma once

#include "runtime/types.hpp"

#include <array>
#include <cstdint>
#include <string>

namespace baley {

using uuid_random_bytes = std::array<std::uint8_t, 10>;

// "0190c6a4-3c1e-7xxx-yxxx-xxxxxxxxxxxx": 48-bit ms timestamp, version 7,
// RFC 9562 variant, 74 random bits.
std::string make_uuid_v7(unix_ms now, const uuid_random_bytes& random);

} // namespace baley
