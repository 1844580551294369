// A token bucket for rate limits (webhook triggers): `rate` tokens a second
// up to `burst`; time is passed in, so tests drive it without a clock.
#pragma once

#include "runtime/types.hpp"

#include <cstdint>

namespace baley::runtime {

class token_bucket {
public:
  token_bucket(double rate_per_second, double burst, unix_ms now);

  struct decision {
    bool allowed = false;
    std::int64_t retry_after_ms = 0;  // when refused: until one token is back
  };

  decision take(unix_ms now);
  double tokens() const { return tokens_; }

private:
  void refill(unix_ms now);

  double rate_;
  double burst_;
  double tokens_;
  unix_ms last_;
};

} // namespace baley::runtime
