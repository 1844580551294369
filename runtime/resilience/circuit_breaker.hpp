// A circuit breaker for one (connection, model): closed → open after
// failure_threshold failures within window_ms → half_open after cooldown_ms.
#pragma once

// Contract. Pure: time is passed in, nothing is read from a clock, and the
// breaker is not thread-safe (one owner, the provider actor). Every state
// change is returned as a breaker_transition so the owner can write it as an
// event and a gauge; a change caused by time alone (open → half_open at the
// end of the cooldown) is reported by the next call that notices it, with
// `at` = the moment it happened. Only failures of a retryable class should be
// recorded (429, 5xx, timeouts, cut streams): the caller decides; a 400 or an
// output that fails its schema says nothing about the provider's health.
// Half-open lets exactly one probe through; the first result reported while
// the probe is out is taken as the probe's. Results reported while open (calls
// let through before it opened) are ignored, as is a success while closed:
// failures within the window count whatever succeeded in between.

#include "runtime/result.hpp"
#include "runtime/types.hpp"

#include <boost/json/value.hpp>

#include <compare>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <string_view>

namespace baley::runtime {

struct breaker_settings {
  std::uint32_t failure_threshold = 5;
  std::int64_t window_ms = 60'000;
  std::int64_t cooldown_ms = 30'000;
  // A probe with no result after this long is taken as lost (its caller was
  // cancelled or died) and another may go; see circuit_breaker::abandon_probe.
  std::int64_t probe_timeout_ms = 300'000;
};

// Reads {failureThreshold, windowMs, cooldownMs, probeTimeoutMs}; null or an
// absent field keeps the default. failureThreshold is an integer in
// [1, 1000]; the durations are integers in [1, 86'400'000] ms. Anything else
// (wrong kind, fraction, out of range, unknown key) is "invalid_config".
result<breaker_settings> parse_breaker_settings(const boost::json::value& value);

// Gauge values: closed = 0, open = 1, half_open = 2.
enum class breaker_state { closed = 0, open = 1, half_open = 2 };

std::string_view breaker_state_name(breaker_state state);  // "closed", "open", "half_open"
std::optional<breaker_state> breaker_state_from_name(std::string_view name);

struct breaker_transition {
  breaker_state from = breaker_state::closed;
  breaker_state to = breaker_state::closed;
  unix_ms at = 0;
  friend bool operator==(const breaker_transition&, const breaker_transition&) = default;
};

// The answer to ask(): allowed (perhaps as the half-open probe), or refused
// with a reason for a person and when asking again makes sense.
struct breaker_permit {
  bool allowed = false;
  bool probe = false;         // allowed as the one half-open probe
  std::string reason;         // refused: why
  unix_ms retry_at = 0;       // refused: when the breaker may let a call through
  std::optional<breaker_transition> transition;  // open → half_open noticed now
};

// What the owner keys its breakers by.
struct breaker_key {
  std::string connection_id;
  std::string model;
  friend auto operator<=>(const breaker_key&, const breaker_key&) = default;
};

class circuit_breaker {
public:
  explicit circuit_breaker(breaker_settings settings = {});

  // Before a call: may it go? Closed: yes. Open: no, until the cooldown ends.
  // Half-open: yes for one probe, no while that probe is out.
  breaker_permit ask(unix_ms now);

  // After a call that got an answer. Closes a half-open breaker whose probe
  // is out.
  std::optional<breaker_transition> record_success(unix_ms now);

  // After a call that failed with a retryable class. Opens a closed breaker
  // at the threshold; reopens a half-open one (a new cooldown from `now`).
  std::optional<breaker_transition> record_failure(unix_ms now);

  // The probe's call ended with no verdict (cancelled): another may go.
  void abandon_probe();

  // The state as of `now` (open past its cooldown reads as half_open).
  breaker_state current(unix_ms now) const;

  const breaker_settings& settings() const { return settings_; }
  // Failures counted in the window at `now` (closed state only).
  std::uint32_t recent_failures(unix_ms now) const;

private:
  std::optional<breaker_transition> advance(unix_ms now);
  breaker_transition move_to(breaker_state to, unix_ms at);

  breaker_settings settings_;
  breaker_state state_ = breaker_state::closed;
  std::deque<unix_ms> failures_;      // closed: the last failure_threshold times
  unix_ms opened_at_ = 0;             // open: when it opened
  std::optional<unix_ms> probe_since_;  // half_open: the probe's start
};

} // namespace baley::runtime
