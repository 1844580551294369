// Shared circuit breakers; see breaker_board.hpp.
#include "actors/breaker_board.hpp"

#include "runtime/time_format.hpp"

#include <boost/json.hpp>

namespace baley::actors {
namespace json = boost::json;

runtime::breaker_permit breaker_board::ask(const runtime::breaker_key& key,
                                           const runtime::breaker_settings& settings,
                                           unix_ms now) {
  std::unique_lock lock(mutex_);
  auto permit = breakers_.try_emplace(key, settings).first->second.ask(now);
  lock.unlock();
  if (permit.transition)
    publish(key, *permit.transition);
  return permit;
}

void breaker_board::record(const runtime::breaker_key& key, bool retryable_failure,
                           unix_ms now) {
  std::unique_lock lock(mutex_);
  auto& breaker = breakers_[key];
  auto transition = retryable_failure ? breaker.record_failure(now) : breaker.record_success(now);
  lock.unlock();
  if (transition)
    publish(key, *transition);
}

void breaker_board::abandon(const runtime::breaker_key& key) {
  std::lock_guard lock(mutex_);
  if (auto it = breakers_.find(key); it != breakers_.end())
    it->second.abandon_probe();
}

std::vector<breaker_board::gauge> breaker_board::states(unix_ms now) const {
  std::lock_guard lock(mutex_);
  std::vector<gauge> out;
  for (const auto& [key, breaker] : breakers_)
    out.push_back({key, breaker.current(now)});
  return out;
}

void breaker_board::publish(const runtime::breaker_key& key,
                            const runtime::breaker_transition& t) {
  json::object event{{"type", "breaker_changed"},
                     {"ts", format_rfc3339_ms(t.at)},
                     {"connectionId", key.connection_id},
                     {"model", key.model},
                     {"from", runtime::breaker_state_name(t.from)},
                     {"to", runtime::breaker_state_name(t.to)}};
  storage::append_request request;
  request.stream = "system/breakers";
  request.events.push_back(json::serialize(event));
  log_.append_async(std::move(request), nullptr);
}

} // namespace baley::actors
