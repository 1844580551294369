// What each node kind computes from its input, for the node actors: pure
// functions over compiled jq programs. Delays and AI calls are the actors' part.
#pragma once

#include "runtime/flow/flow.hpp"

#include <optional>
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
};

using node_result = std::variant<node_output, node_failure>;

// source, sink, parallel, delay: the input; function-block: its program;
// router: the first route whose `when` is true, else the default.
node_result run_node(const compiled_node& node, const boost::json::value& input);

// A loop's items: data.over must give an array.
std::variant<std::vector<boost::json::value>, node_failure>
expand_loop(const compiled_node& loop, const boost::json::value& input);

// One iteration of a loop body.
node_result run_loop_body(const loop_body& body, const boost::json::value& item);

} // namespace baley::runtime
