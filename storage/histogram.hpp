// A fixed-bucket histogram written by one thread and read by any: the
// writer's commit latency and batch size for /metrics, at the cost of two
// relaxed load/store pairs per observation (no locked instruction).
#pragma once
//
// Threads: observe() only from one thread at a time (the log's writer);
// snapshot() from any thread. A snapshot taken during observe() may miss that
// observation's sum or bucket, never count one twice; count is derived from
// the buckets, so the +Inf bucket always equals count.

#include "storage/event_log.hpp"

#include <algorithm>
#include <array>
#include <atomic>
#include <cstdint>

namespace baley::storage {

template <std::size_t Bounds>
class histogram_recorder {
public:
  explicit histogram_recorder(const std::array<double, Bounds>& le) : le_(le) {}

  // Counts `value` in the first bucket whose bound is >= value (+Inf last).
  void observe(double value) {
    auto bucket = static_cast<std::size_t>(
      std::lower_bound(le_.begin(), le_.end(), value) - le_.begin());
    bump(buckets_[bucket], 1);
    sum_.store(sum_.load(std::memory_order_relaxed) + value, std::memory_order_relaxed);
  }

  histogram_snapshot<Bounds> snapshot() const {
    histogram_snapshot<Bounds> out;
    out.le = le_;
    std::uint64_t running = 0;
    for (std::size_t i = 0; i < buckets_.size(); ++i) {
      running += buckets_[i].load(std::memory_order_relaxed);
      out.cumulative[i] = running;
    }
    out.count = running;
    out.sum = sum_.load(std::memory_order_relaxed);
    return out;
  }

private:
  static void bump(std::atomic<std::uint64_t>& counter, std::uint64_t by) {
    counter.store(counter.load(std::memory_order_relaxed) + by,
                  std::memory_order_relaxed);
  }

  std::array<double, Bounds> le_;
  std::array<std::atomic<std::uint64_t>, Bounds + 1> buckets_{};  // per bucket
  std::atomic<double> sum_{0};
};

} // namespace baley::storage
