// Latencies of many decisions in little room, mergeable across buckets: exact
// below 1,024 ms, within 1/64 (1.6 %) above. Percentiles are read off it.
#pragma once

#include <boost/json/array.hpp>

#include <cstdint>
#include <map>
#include <optional>

namespace baley::runtime {

class latency_histogram {
public:
  void add(std::int64_t latency_ms, std::uint64_t count = 1);
  void merge(const latency_histogram& other);

  std::uint64_t count() const { return total_; }
  // The nearest-rank percentile (p in (0, 100]): the smallest recorded
  // latency bin that covers p % of the observations, as its lower bound in
  // ms. Nothing when the histogram is empty.
  std::optional<std::int64_t> percentile(double p) const;

  // [[bin, count], …] in bin order; from_json ignores malformed entries.
  boost::json::array to_json() const;
  static latency_histogram from_json(const boost::json::value& stored);

  // The bin of a latency and the least latency in a bin.
  static std::uint32_t bin_of(std::int64_t latency_ms);
  static std::int64_t lower_bound_of(std::uint32_t bin);

private:
  std::map<std::uint32_t, std::uint64_t> bins_;
  std::uint64_t total_ = 0;
};

} // namespace baley::runtime
