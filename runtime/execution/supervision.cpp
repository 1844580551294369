// Retry, fallback or fail decisions for failed attempts; see supervision.hpp.
#include "runtime/execution/supervision.hpp"

#include <algorithm>
#include <cassert>

namespace baley::runtime {

execution_event decide_failure(const std::string& node_id,
                               std::optional<std::uint32_t> iteration,
                               const task_record& task, const retry_policy& policy,
                               const node_failure& failure, double random01,
                               unix_ms now) {
  auto failures = task.failures + 1;
  if (should_retry(policy, failures, failure.retryable)) {
    auto delay = backoff_delay_ms(policy, failures, random01, failure.retry_after_ms);
    return {now, node_retry{.node_id = node_id, .attempt = task.attempts + 1,
                            .delay_ms = delay, .error = failure.message,
                            .iteration = iteration}};
  }
  return {now, node_error{.node_id = node_id, .error = failure.message,
                          .attempt = task.attempts, .retryable = failure.retryable,
                          .iteration = iteration, .code = failure.code,
                          .debug = failure.debug}};
}

execution_event decide_model_failure(const std::string& node_id,
                                     const std::vector<std::string>& models,
                                     std::size_t model_index, const task_record& task,
                                     const retry_policy& policy,
                                     const node_failure& failure, double random01,
                                     unix_ms now, bool breaker_open) {
  assert(model_index < models.size());
  bool has_next = model_index + 1 < models.size();
  auto failures = task.failures_since_fallback + 1;
  if (!(breaker_open && has_next) && should_retry(policy, failures, failure.retryable)) {
    auto delay = backoff_delay_ms(policy, failures, random01, failure.retry_after_ms);
    return {now, node_retry{.node_id = node_id, .attempt = task.attempts + 1,
                            .delay_ms = delay, .error = failure.message}};
  }
  if (has_next)
    return {now, node_fallback{.node_id = node_id, .from = models[model_index],
                               .to = models[model_index + 1]}};
  return {now, node_error{.node_id = node_id, .error = failure.message,
                          .attempt = task.attempts, .retryable = failure.retryable,
                          .code = failure.code, .debug = failure.debug}};
}

std::size_t current_model_index(const std::vector<std::string>& models,
                                const task_record& task) {
  if (models.empty())
    return 0;
  return std::min<std::size_t>(task.fallbacks, models.size() - 1);
}

} // namespace baley::runtime
