// Token bucket arithmetic; see token_bucket.hpp.
#include "runtime/resilience/token_bucket.hpp"

#include <algorithm>
#include <cmath>

namespace baley::runtime {

token_bucket::token_bucket(double rate_per_second, double burst, unix_ms now)
  : rate_(std::max(rate_per_second, 0.0)), burst_(std::max(burst, 1.0)),
    tokens_(burst_), last_(now) {}

void token_bucket::refill(unix_ms now) {
  if (now > last_) {
    tokens_ = std::min(burst_, tokens_ + rate_ * double(now - last_) / 1000.0);
    last_ = now;
  }
}

token_bucket::decision token_bucket::take(unix_ms now) {
  refill(now);
  if (tokens_ >= 1.0) {
    tokens_ -= 1.0;
    return {true, 0};
  }
  if (rate_ <= 0)
    return {false, 60'000};
  auto wait = std::ceil((1.0 - tokens_) / rate_ * 1000.0);
  return {false, static_cast<std::int64_t>(wait)};
}

} // namespace baley::runtime
