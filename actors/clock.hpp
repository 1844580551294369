// Time and randomness for actors: the domain takes both as arguments, and
// this is where they come from. The clock is injected (engine_options), so
// that actor tests drive time with CAF's deterministic test coordinator
// instead of sleeping.
#pragma once

#include "runtime/ids.hpp"
#include "runtime/types.hpp"

#include <chrono>
#include <memory>
#include <random>
#include <string>

namespace baley::actors {

class clock {
public:
  virtual ~clock() = default;
  // Milliseconds since the Unix epoch.
  virtual unix_ms now() const = 0;
};

// The system's wall clock.
class system_clock final : public clock {
public:
  unix_ms now() const override {
    using namespace std::chrono;
    return duration_cast<milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
  }
};

// The process's wall clock, shared.
inline std::shared_ptr<const clock> wall_clock() {
  static const auto instance = std::make_shared<const system_clock>();
  return instance;
}

// The wall clock's reading, for code that is not an actor's decision (log
// lines, tools).
inline unix_ms now_ms() {
  return wall_clock()->now();
}

// A per-owner source of UUIDv7 ids and jitter. Ids from one source are
// strictly increasing (RFC 9562, method 1): within one millisecond the 12
// bits after the version count up, so lists ordered by id are in creation
// order even for ids made in the same millisecond. Not thread-safe.
class id_source {
public:
  explicit id_source(std::shared_ptr<const clock> time = wall_clock())
    : clock_(std::move(time)), rng_(std::random_device{}()) {}

  std::string next_id() {
    auto now = clock_->now();
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
  std::shared_ptr<const clock> clock_;
  std::mt19937_64 rng_;
  unix_ms last_ms_ = 0;
  std::uint16_t counter_ = 0;
};

} // namespace baley::actors
