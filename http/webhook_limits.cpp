// Webhook rate limits; see webhook_limits.hpp.
#include "http/webhook_limits.hpp"

namespace baley::http {

runtime::token_bucket::decision webhook_limits::take(const runtime::webhook_record& hook,
                                                     unix_ms now) {
  auto bucket = buckets_.try_emplace(hook.flow_id, hook.rate_per_second, hook.burst, now).first;
  return bucket->second.take(now);
}

} // namespace baley::http
