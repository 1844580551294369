// Counters for /metrics in the Prometheus text format: HTTP requests by route
// and status with a latency histogram, SSE clients, executions by status.
// Thread-safe; the log's own counters (appends, batches, commit latency), the
// circuit breakers and the jq sandbox are read from their owners and handed
// to render() as values.
#pragma once

#include "actors/breaker_board.hpp"
#include "actors/usage_meter.hpp"
#include "sandbox/jq_pool.hpp"
#include "storage/event_log.hpp"

#include <array>
#include <atomic>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace baley::http {

class metrics {
public:
  void observe_request(std::string_view route, int status, double seconds);
  void sse_opened() { sse_clients_.fetch_add(1, std::memory_order_relaxed); }
  void sse_closed() { sse_clients_.fetch_sub(1, std::memory_order_relaxed); }
  void execution_started() { started_.fetch_add(1, std::memory_order_relaxed); }
  void execution_finished(std::string_view status);

  // What the server reads from its other parts when rendering.
  struct sources {
    storage::writer_stats log;
    std::vector<actors::breaker_board::gauge> breakers;
    sandbox::jq_pool_stats jq;
    std::size_t jq_workers = 0;
    actors::usage_meter::snapshot usage;
  };
  std::string render(const sources& from) const;

private:
  static constexpr std::array<double, 12> latency_buckets = {
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5};
  struct histogram {
    std::array<std::uint64_t, latency_buckets.size() + 1> counts{};
    std::uint64_t count = 0;
    double sum = 0;
  };

  mutable std::mutex mutex_;
  std::map<std::pair<std::string, int>, std::uint64_t> requests_;
  std::map<std::string, histogram> latency_;  // by route
  std::map<std::string, std::uint64_t> finished_;
  std::atomic<std::int64_t> sse_clients_{0};
  std::atomic<std::uint64_t> started_{0};
};

} // namespace baley::http
