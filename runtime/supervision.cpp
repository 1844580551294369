// Retry-or-fail decisions for failed attempts; see supervision.hpp.
#include "runtime/supervision.hpp"

namespace baley::runtime {

execution_event decide_failure(const std::string& node_id,
                               std::optional<std::uint32_t> iteration,
                               const task_record& task, const retry_policy& policy,
                               const node_failure& failure, double random01,
                               unix_ms now) {
  auto failures = task.failures + 1;
  if (should_retry(policy, failures, failure.retryable)) {
    auto delay = backoff_delay_ms(policy, failures, random01, failure.retry_after_ms);
    return {now, node_retry{node_id, task.attempts + 1, delay, failure.message, iteration}};
  }
  return {now, node_error{node_id, failure.message, task.attempts, failure.retryable,
                          iteration}};
}

} // namespace baley::runtime
