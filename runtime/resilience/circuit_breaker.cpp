// The breaker's state machine and its settings parser; see circuit_breaker.hpp.
#include "runtime/resilience/circuit_breaker.hpp"

#include "runtime/enum_names.hpp"

#include "runtime/time_format.hpp"

#include <boost/json/object.hpp>

#include <algorithm>
#include <cmath>

namespace baley::runtime {
namespace {

error invalid(std::string message) {
  return error{"invalid_config", std::move(message), {}};
}

// An integer in [low, high] at `key`, or an error naming it.
std::optional<error> read_integer(const boost::json::object& o, std::string_view key,
                                  std::int64_t low, std::int64_t high,
                                  std::int64_t& out) {
  auto* v = o.if_contains(key);
  if (!v || v->is_null())
    return std::nullopt;
  auto message = "breaker." + std::string(key) + " must be an integer from "
                 + std::to_string(low) + " to " + std::to_string(high);
  if (!v->is_number())
    return invalid(std::move(message));
  double d = v->to_number<double>();
  if (d != std::floor(d) || d < double(low) || d > double(high))
    return invalid(std::move(message));
  out = static_cast<std::int64_t>(d);
  return std::nullopt;
}

} // namespace

result<breaker_settings> parse_breaker_settings(const boost::json::value& value) {
  breaker_settings s;
  if (value.is_null())
    return s;
  if (!value.is_object())
    return invalid("breaker settings must be an object");
  const auto& o = value.get_object();
  for (const auto& field : o)
    if (field.key() != "failureThreshold" && field.key() != "windowMs"
        && field.key() != "cooldownMs" && field.key() != "probeTimeoutMs")
      return invalid("breaker." + std::string(field.key()) + " is not a setting"
                     " (failureThreshold, windowMs, cooldownMs, probeTimeoutMs)");
  constexpr std::int64_t day_ms = 86'400'000;
  std::int64_t threshold = s.failure_threshold;
  if (auto err = read_integer(o, "failureThreshold", 1, 1000, threshold))
    return *err;
  if (auto err = read_integer(o, "windowMs", 1, day_ms, s.window_ms))
    return *err;
  if (auto err = read_integer(o, "cooldownMs", 1, day_ms, s.cooldown_ms))
    return *err;
  if (auto err = read_integer(o, "probeTimeoutMs", 1, day_ms, s.probe_timeout_ms))
    return *err;
  s.failure_threshold = static_cast<std::uint32_t>(threshold);
  return s;
}

namespace {

constexpr enum_names<breaker_state, 3> states{{{
  {breaker_state::closed, "closed"},
  {breaker_state::open, "open"},
  {breaker_state::half_open, "half_open"},
}}};

} // namespace

std::string_view breaker_state_name(breaker_state state) {
  return states.name(state);
}

std::optional<breaker_state> breaker_state_from_name(std::string_view name) {
  return states.parse(name);
}

circuit_breaker::circuit_breaker(breaker_settings settings)
  : settings_(settings) {
  settings_.failure_threshold = std::max<std::uint32_t>(settings_.failure_threshold, 1);
}

breaker_transition circuit_breaker::move_to(breaker_state to, unix_ms at) {
  breaker_transition t{state_, to, at};
  state_ = to;
  failures_.clear();
  probe_since_.reset();
  if (to == breaker_state::open)
    opened_at_ = at;
  return t;
}

// Changes that time alone makes: the cooldown ends; a probe is lost.
std::optional<breaker_transition> circuit_breaker::advance(unix_ms now) {
  if (state_ == breaker_state::open && now >= opened_at_ + settings_.cooldown_ms)
    return move_to(breaker_state::half_open, opened_at_ + settings_.cooldown_ms);
  if (state_ == breaker_state::half_open && probe_since_
      && now - *probe_since_ >= settings_.probe_timeout_ms)
    probe_since_.reset();
  return std::nullopt;
}

breaker_permit circuit_breaker::ask(unix_ms now) {
  breaker_permit permit;
  permit.transition = advance(now);
  switch (state_) {
    case breaker_state::closed:
      permit.allowed = true;
      break;
    case breaker_state::open:
      permit.retry_at = opened_at_ + settings_.cooldown_ms;
      permit.reason = "circuit breaker open: the next call may go at "
                      + format_rfc3339_ms(permit.retry_at);
      break;
    case breaker_state::half_open:
      if (!probe_since_) {
        probe_since_ = now;
        permit.allowed = true;
        permit.probe = true;
      } else {
        permit.reason = "circuit breaker half-open: a probe call is in flight";
        permit.retry_at = std::min(*probe_since_ + settings_.probe_timeout_ms,
                                   now + settings_.cooldown_ms);
      }
      break;
  }
  return permit;
}

std::optional<breaker_transition> circuit_breaker::record_success(unix_ms now) {
  auto moved = advance(now);
  if (state_ == breaker_state::half_open && probe_since_)
    return move_to(breaker_state::closed, now);
  return moved;
}

std::optional<breaker_transition> circuit_breaker::record_failure(unix_ms now) {
  auto moved = advance(now);
  if (state_ == breaker_state::half_open && probe_since_)
    return move_to(breaker_state::open, now);
  if (state_ != breaker_state::closed)
    return moved;
  failures_.push_back(now);
  while (failures_.size() > settings_.failure_threshold)
    failures_.pop_front();
  if (recent_failures(now) >= settings_.failure_threshold)
    return move_to(breaker_state::open, now);
  return moved;
}

void circuit_breaker::abandon_probe() {
  if (state_ == breaker_state::half_open)
    probe_since_.reset();
}

breaker_state circuit_breaker::current(unix_ms now) const {
  if (state_ == breaker_state::open && now >= opened_at_ + settings_.cooldown_ms)
    return breaker_state::half_open;
  return state_;
}

std::uint32_t circuit_breaker::recent_failures(unix_ms now) const {
  if (state_ != breaker_state::closed)
    return 0;
  auto in_window = std::count_if(failures_.begin(), failures_.end(), [&](unix_ms t) {
    return now - t < settings_.window_ms;
  });
  return static_cast<std::uint32_t>(in_window);
}

} // namespace baley::runtime
