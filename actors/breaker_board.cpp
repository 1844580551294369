// Shared circuit breakers; see breaker_board.hpp.
#include "actors/breaker_board.hpp"

#include "runtime/ops/ops_events.hpp"
#include "runtime/stream_names.hpp"

#include <boost/json.hpp>

#include <iostream>

namespace baley::actors {
namespace json = boost::json;

runtime::breaker_permit breaker_board::ask(const runtime::breaker_key& key,
                                           const runtime::breaker_settings& settings,
                                           unix_ms now) {
  std::lock_guard lock(mutex_);
  auto permit = breakers_.try_emplace(key, settings).first->second.ask(now);
  if (permit.transition)
    publish(key, *permit.transition);
  return permit;
}

void breaker_board::record(const runtime::breaker_key& key, bool retryable_failure,
                           unix_ms now) {
  std::lock_guard lock(mutex_);
  auto& breaker = breakers_[key];
  auto transition = retryable_failure ? breaker.record_failure(now) : breaker.record_success(now);
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
  storage::append_request request;
  request.stream = names::breakers_stream;
  request.events.push_back(runtime::serialize_ops_event(
    {t.at, runtime::breaker_changed{.connection_id = key.connection_id, .model = key.model,
                                    .from = t.from, .to = t.to}}));
  log_.append_async(std::move(request), [key](result<std::vector<storage::committed_event>> r) {
    // The transition stands (it is in memory and in /metrics); only its
    // record is missing, and the log has failed for everyone: say so.
    if (!r)
      std::cerr << boost::json::serialize(boost::json::object{
                     {"msg", "breaker transition not recorded"},
                     {"connectionId", key.connection_id}, {"model", key.model},
                     {"error", r.error().message}})
                << std::endl;
  });
}

} // namespace baley::actors
