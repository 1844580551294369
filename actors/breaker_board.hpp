// The circuit breakers of every (connection, model), shared by the ai-block
// node actors of all executions: asked before each provider call, told each
// outcome. Each state change is written to the log as a `breaker_changed`
// event on stream system/breakers, and the states are gauges in /metrics.
#pragma once

#include "runtime/resilience/circuit_breaker.hpp"
#include "storage/event_log.hpp"

#include <map>
#include <mutex>
#include <string>
#include <vector>

namespace baley::actors {

class breaker_board {
public:
  explicit breaker_board(storage::event_log& log) : log_(log) {}

  // The first ask for a key creates its breaker with `settings` (a block's
  // data.breaker); later asks use the breaker as it is.
  runtime::breaker_permit ask(const runtime::breaker_key& key,
                              const runtime::breaker_settings& settings, unix_ms now);
  // `retryable_failure`: the call failed with a retryable class (only those
  // count); otherwise it got an answer.
  void record(const runtime::breaker_key& key, bool retryable_failure, unix_ms now);
  // A probe's call ended without a verdict (the node was cancelled).
  void abandon(const runtime::breaker_key& key);

  struct gauge {
    runtime::breaker_key key;
    runtime::breaker_state state;
  };
  std::vector<gauge> states(unix_ms now) const;

private:
  // Called under mutex_, so that transitions reach the log in the order they
  // happened (append_async only queues the request).
  void publish(const runtime::breaker_key& key, const runtime::breaker_transition& t);

  storage::event_log& log_;
  mutable std::mutex mutex_;
  std::map<runtime::breaker_key, runtime::circuit_breaker> breakers_;
};

} // namespace baley::actors
