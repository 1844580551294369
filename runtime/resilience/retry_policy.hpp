// Per-node retry policy (`data.retry`) and its backoff: exponential, capped,
// with full jitter, honouring a provider's Retry-After. Randomness is passed in.
#pragma once

#include "runtime/result.hpp"

#include <boost/json/value.hpp>

#include <cstdint>
#include <optional>

namespace baley::runtime {

struct retry_policy {
  std::uint32_t max_retries = 0;
  std::int64_t initial_delay_ms = 200;
  std::int64_t max_delay_ms = 10'000;
  double multiplier = 2.0;
};

inline constexpr std::int64_t max_retries_limit = 100;
inline constexpr std::int64_t max_retry_delay_ms = 86'400'000;  // a day

// Reads {maxRetries, initialDelayMs, maxDelayMs, multiplier}; absent fields
// keep their defaults. maxRetries is an integer in [0, 100], the delays
// integers in [0, max_retry_delay_ms], multiplier a number in [1, 100];
// anything else (wrong kind, fraction, null, out of range) is "invalid_flow".
result<retry_policy> parse_retry_policy(const boost::json::value& value);

// Delay before the retry that follows failure number `failures` (1-based):
// uniform in [0, min(max, initial * multiplier^(failures-1))] given
// `random01` in [0,1). A Retry-After replaces it, capped at max_delay_ms.
std::int64_t backoff_delay_ms(const retry_policy& policy, std::uint32_t failures,
                              double random01,
                              std::optional<std::int64_t> retry_after_ms = {});

// Whether a failure should be retried: its class is retryable and the budget
// of retries is not spent (`failures` counts this one).
bool should_retry(const retry_policy& policy, std::uint32_t failures,
                  bool retryable);

} // namespace baley::runtime
