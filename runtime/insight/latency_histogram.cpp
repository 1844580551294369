// latency_histogram: 1,024 one-millisecond bins, then 64 bins per power of two.
#include "runtime/insight/latency_histogram.hpp"

#include "runtime/numbers.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <limits>

namespace baley::runtime {
namespace {
constexpr std::int64_t exact_below = 1024;  // 2^10
constexpr int sub_bits = 6;                 // 64 bins per octave
// The bin of INT64_MAX: no latency maps past it.
constexpr std::uint32_t max_bin = 1024 + (62 - 10) * 64 + 63;
} // namespace

std::uint32_t latency_histogram::bin_of(std::int64_t latency_ms) {
  if (latency_ms < exact_below)
    return static_cast<std::uint32_t>(latency_ms < 0 ? 0 : latency_ms);
  auto v = static_cast<std::uint64_t>(latency_ms);
  int octave = std::bit_width(v) - 1;  // >= 10
  auto mantissa = static_cast<std::uint32_t>((v >> (octave - sub_bits)) & ((1u << sub_bits) - 1));
  return static_cast<std::uint32_t>(exact_below) + static_cast<std::uint32_t>(octave - 10) * 64
         + mantissa;
}

std::int64_t latency_histogram::lower_bound_of(std::uint32_t bin) {
  if (bin < exact_below)
    return bin;
  auto rest = bin - static_cast<std::uint32_t>(exact_below);
  int octave = static_cast<int>(rest / 64) + 10;
  std::uint64_t mantissa = rest % 64;
  return static_cast<std::int64_t>(((1ull << sub_bits) + mantissa) << (octave - sub_bits));
}

void latency_histogram::add(std::int64_t latency_ms, std::uint64_t count) {
  if (count == 0)
    return;
  bins_[bin_of(latency_ms)] += count;
  total_ += count;
}

void latency_histogram::merge(const latency_histogram& other) {
  for (const auto& [bin, count] : other.bins_)
    bins_[bin] += count;
  total_ += other.total_;
}

std::optional<std::int64_t> latency_histogram::percentile(double p) const {
  if (total_ == 0)
    return std::nullopt;
  // p * n / 100 with the rounding error of the division taken off, so that
  // 7 % of 100 is rank 7, not 8.
  auto exact = p * static_cast<double>(total_) / 100.0;
  auto rank = static_cast<std::uint64_t>(std::ceil(exact - 1e-9 * std::max(1.0, exact)));
  if (rank < 1)
    rank = 1;
  std::uint64_t seen = 0;
  for (const auto& [bin, count] : bins_) {
    seen += count;
    if (seen >= rank)
      return lower_bound_of(bin);
  }
  return lower_bound_of(bins_.rbegin()->first);
}

boost::json::array latency_histogram::to_json() const {
  boost::json::array out;
  out.reserve(bins_.size());
  for (const auto& [bin, count] : bins_)
    out.push_back(boost::json::array{bin, count});
  return out;
}

latency_histogram latency_histogram::from_json(const boost::json::value& stored) {
  latency_histogram h;
  const auto* entries = stored.if_array();
  if (!entries)
    return h;
  for (const auto& entry : *entries) {
    const auto* pair = entry.if_array();
    if (!pair || pair->size() != 2)
      continue;
    auto bin = json_integer((*pair)[0], 0, max_bin);
    auto count = json_integer((*pair)[1], 1, std::numeric_limits<std::int64_t>::max());
    if (!bin || !count)
      continue;
    h.bins_[static_cast<std::uint32_t>(*bin)] += static_cast<std::uint64_t>(*count);
    h.total_ += static_cast<std::uint64_t>(*count);
  }
  return h;
}

} // namespace baley::runtime
