// Backoff arithmetic for the supervisor; see retry_policy.hpp.
#include "runtime/resilience/retry_policy.hpp"

#include <algorithm>
#include <cmath>
#include <string>

namespace baley::runtime {

result<retry_policy> parse_retry_policy(const boost::json::value& value) {
  retry_policy p;
  if (value.is_null())
    return p;
  if (!value.is_object())
    return error{"invalid_flow", "retry must be an object", {}};
  const auto& o = value.get_object();
  auto number = [&](const char* key, double& out) -> std::optional<error> {
    auto* v = o.if_contains(key);
    if (!v)
      return std::nullopt;
    if (!v->is_number() || v->to_number<double>() < 0)
      return error{"invalid_flow",
                   std::string("retry.") + key + " must be a non-negative number", {}};
    out = v->to_number<double>();
    return std::nullopt;
  };
  double max_retries = p.max_retries, initial = double(p.initial_delay_ms),
         max_delay = double(p.max_delay_ms), multiplier = p.multiplier;
  for (auto [key, slot] : {std::pair{"maxRetries", &max_retries},
                           std::pair{"initialDelayMs", &initial},
                           std::pair{"maxDelayMs", &max_delay},
                           std::pair{"multiplier", &multiplier}})
    if (auto err = number(key, *slot))
      return *err;
  if (max_retries > 100)
    return error{"invalid_flow", "retry.maxRetries must be at most 100", {}};
  if (multiplier < 1)
    return error{"invalid_flow", "retry.multiplier must be at least 1", {}};
  p.max_retries = static_cast<std::uint32_t>(max_retries);
  p.initial_delay_ms = static_cast<std::int64_t>(initial);
  p.max_delay_ms = static_cast<std::int64_t>(max_delay);
  p.multiplier = multiplier;
  return p;
}

std::int64_t backoff_delay_ms(const retry_policy& policy, std::uint32_t failures,
                              double random01,
                              std::optional<std::int64_t> retry_after_ms) {
  if (retry_after_ms)
    return std::clamp<std::int64_t>(*retry_after_ms, 0, policy.max_delay_ms);
  double exponent = failures > 0 ? failures - 1 : 0;
  double ceiling = double(policy.initial_delay_ms)
                   * std::pow(policy.multiplier, exponent);
  ceiling = std::min(ceiling, double(policy.max_delay_ms));
  double jittered = std::clamp(random01, 0.0, 1.0) * ceiling;
  return static_cast<std::int64_t>(jittered);
}

bool should_retry(const retry_policy& policy, std::uint32_t failures,
                  bool retryable) {
  return retryable && failures <= policy.max_retries;
}

} // namespace baley::runtime
