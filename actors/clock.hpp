// Wall-clock time and randomness for actors: the domain takes both as
// arguments, and this is where they come from.
#pragma once

#include "runtime/ids.hpp"
#include "runtime/types.hpp"

#include <chrono>
#include <random>
#include <string>

namespace baley::actors {

inline unix_ms now_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

// A per-owner source of UUIDv7 ids and jitter.
class id_source {
public:
  id_source() : rng_(std::random_device{}()) {}

  std::string next_id() {
    uuid_random_bytes bytes;
    auto a = rng_(), b = rng_();
    for (int i = 0; i < 8; ++i)
      bytes[i] = static_cast<std::uint8_t>(a >> (8 * i));
    bytes[8] = static_cast<std::uint8_t>(b);
    bytes[9] = static_cast<std::uint8_t>(b >> 8);
    return make_uuid_v7(now_ms(), bytes);
  }

  double next_unit() { return std::uniform_real_distribution<double>(0, 1)(rng_); }

private:
  std::mt19937_64 rng_;
};

} // namespace baley::actors
