// The supervisor's decision when one attempt of a task fails: a node_retry
// after a backoff, a node_fallback to the next model (ai-blocks), or the
// task's final node_error. Randomness and time are passed in.
#pragma once

#include "runtime/execution/execution_state.hpp"
#include "runtime/execution/task_outcome.hpp"
#include "runtime/resilience/retry_policy.hpp"

#include <string>
#include <vector>

namespace baley::runtime {

// Any node: node_retry when the failure's class is retryable and the retry
// budget is not spent, else node_error.
execution_event decide_failure(const std::string& node_id,
                               std::optional<std::uint32_t> iteration,
                               const task_record& task, const retry_policy& policy,
                               const node_failure& failure, double random01,
                               unix_ms now);

// An ai-block with `models` = [model, fallbackModels...], whose failed
// attempt ran models[model_index]. Each model has its own retry budget
// (`policy`), counted by task.failures_since_fallback:
// - node_retry{attempt+1, delay}: the failure is retryable, the model's
//   budget is not spent and its breaker is not open (with no next model an
//   open breaker is no reason to stop: the failure's retry_after_ms, the
//   breaker's retry-at, says how long to wait). The delay is the backoff,
//   or Retry-After when the failure has one, capped at policy.max_delay_ms.
// - node_fallback{from, to = models[model_index + 1]}: no retry for this
//   model (budget spent, class not retryable, e.g. a 404 model or a reply
//   that fails outputSchema, or breaker open) and a next model exists. The
//   task stays running; the caller starts the next attempt right after it
//   (node_start, attempt+1), on the next model with a fresh budget.
// - node_error{attempt, retryable}: nothing left to try.
// node_fallback has no iteration: fallback is for a node's own task (loop
// bodies are function blocks). Requires model_index < models.size().
execution_event decide_model_failure(const std::string& node_id,
                                     const std::vector<std::string>& models,
                                     std::size_t model_index, const task_record& task,
                                     const retry_policy& policy,
                                     const node_failure& failure, double random01,
                                     unix_ms now, bool breaker_open);

// The index in `models` of the model the task's next attempt runs:
// task.fallbacks (node_fallback events so far), at most the last one.
std::size_t current_model_index(const std::vector<std::string>& models,
                                const task_record& task);

} // namespace baley::runtime
