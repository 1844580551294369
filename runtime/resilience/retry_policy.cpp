// Backoff arithmetic for the supervisor; see retry_policy.hpp.
#include "runtime/resilience/retry_policy.hpp"

#include "runtime/numbers.hpp"

#include <algorithm>
#include <cmath>
#include <string>
#include <type_traits>

namespace baley::runtime {

result<retry_policy> parse_retry_policy(const boost::json::value& value) {
  retry_policy p;
  if (value.is_null())
    return p;
  if (!value.is_object())
    return error{"invalid_flow", "retry must be an object", {}};
  const auto& o = value.get_object();
  auto invalid = [](std::string message) {
    return error{"invalid_flow", "retry." + std::move(message), {}};
  };
  auto whole = [&](std::string_view key, std::int64_t max, std::string_view unit,
                   auto& out) -> std::optional<error> {
    auto* v = o.if_contains(key);
    if (!v)
      return std::nullopt;
    auto n = json_integer(*v, 0, max);
    if (!n)
      return invalid(std::string(key) + " must be an integer from 0 to " + std::to_string(max)
                     + std::string(unit));
    out = static_cast<std::remove_reference_t<decltype(out)>>(*n);
    return std::nullopt;
  };
  if (auto e = whole("maxRetries", max_retries_limit, "", p.max_retries))
    return *e;
  if (auto e = whole("initialDelayMs", max_retry_delay_ms, " (milliseconds)", p.initial_delay_ms))
    return *e;
  if (auto e = whole("maxDelayMs", max_retry_delay_ms, " (milliseconds)", p.max_delay_ms))
    return *e;
  if (auto* v = o.if_contains("multiplier")) {
    if (!v->is_number() || !(v->to_number<double>() >= 1) || v->to_number<double>() > 100)
      return invalid("multiplier must be a number from 1 to 100");
    p.multiplier = v->to_number<double>();
  }
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
