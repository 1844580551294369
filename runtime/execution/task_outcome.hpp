// What one attempt of a task came to: an output (with the route a router took
// and an ai-block's usage), a failure with its class, or a loop's items.
#pragma once

#include <boost/json/array.hpp>
#include <boost/json/value.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace baley::runtime {

// What an ai-block's attempt adds to its node_complete.
struct ai_outcome {
  std::string model;
  std::int64_t input_tokens = 0;
  std::int64_t output_tokens = 0;
  double cost = 0;
  std::int64_t ttft_ms = 0;            // attempt start to first token
  double tokens_per_second = 0;        // output tokens over the streaming time
  boost::json::array tool_calls;       // [{id, name, arguments, output}]
};

struct node_output {
  boost::json::value value;
  std::optional<std::string> route;  // routers: the route taken
  std::optional<ai_outcome> ai;      // ai-blocks
};

// A failure and whether its class is retryable.
struct node_failure {
  std::string message;
  bool retryable = false;
  std::optional<std::int64_t> retry_after_ms;  // a provider's Retry-After
  bool breaker_open = false;  // refused by the model's open circuit breaker
  // The class as an API code ("jq_error", "limit_exceeded"); empty when the
  // failure names none. Written as node_error.code.
  std::string code = {};
  // `baley serve --debug` only: {"detail","stackTrace"}; null otherwise.
  boost::json::value debug = {};
};

// A loop's items, computed from data.over by the loop's own task.
struct loop_items {
  std::vector<boost::json::value> items;
};

using task_outcome = std::variant<node_output, node_failure, loop_items>;

} // namespace baley::runtime
