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

// A per-owner source of UUIDv7 ids and jitter. Ids from one source are
// strictly increasing (RFC 9562, method 1): within one millisecond the 12
// bits after the version count up, so lists ordered by id are in creation
// order even for ids made in the same millisecond.
class id_source {
public:
  id_source() : rng_(std::random_device{}()) {}

  std::string next_id() {
    auto now = now_ms();
    if (now > last_ms_) {
      last_ms_ = now;
      counter_ = static_cast<std::uint16_t>(rng_() & 0x3FF);  // room to count up
    } else if (++counter_ > 0xFFF) {
      ++last_ms_;  // 4096 ids in one millisecond: borrow the next one
      counter_ = 0;
    }
    uuid_random_bytes bytes;
    auto a = rng_(), b = rng_();
    bytes[0] = static_cast<std::uint8_t>(counter_ >> 8);
    bytes[1] = static_cast<std::uint8_t>(counter_);
    for (int i = 2; i < 10; ++i)
      bytes[i] = static_cast<std::uint8_t>((i < 8 ? a : b) >> (8 * (i % 8)));
    return make_uuid_v7(last_ms_, bytes);
  }

  double next_unit() { return std::uniform_real_distribution<double>(0, 1)(rng_); }

private:
  std::mt19937_64 rng_;
  unix_ms last_ms_ = 0;
  std::uint16_t counter_ = 0;
};

} // namespace baley::actors
