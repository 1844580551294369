// The supervisor's decision when one attempt of a task fails: a node_retry
// after a backoff when the failure's class is retryable and the retry budget
// is not spent, else the task's final node_error. Randomness is passed in.
#pragma once

#include "runtime/execution_state.hpp"
#include "runtime/node_work.hpp"
#include "runtime/retry_policy.hpp"

namespace baley::runtime {

execution_event decide_failure(const std::string& node_id,
                               std::optional<std::uint32_t> iteration,
                               const task_record& task, const retry_policy& policy,
                               const node_failure& failure, double random01,
                               unix_ms now);

} // namespace baley::runtime
