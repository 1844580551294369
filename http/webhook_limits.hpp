// The rate limit of each flow's webhook trigger: a token bucket per flow with
// the webhook's rate and burst, created at its first call and forgotten when
// the webhook changes.
#pragma once

#include "runtime/catalog/catalog.hpp"
#include "runtime/resilience/token_bucket.hpp"

#include <map>
#include <string>

namespace baley::http {

class webhook_limits {
public:
  runtime::token_bucket::decision take(const runtime::webhook_record& hook, unix_ms now);
  void forget(const std::string& flow_id) { buckets_.erase(flow_id); }

private:
  std::map<std::string, runtime::token_bucket> buckets_;  // by flow id
};

} // namespace baley::http
