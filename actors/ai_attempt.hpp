// One attempt of an ai-block, the part every provider shares: the breaker's
// permission first and its verdict last, the reply as it streams (each piece
// a node_stream for the execution actor), and the outcome: the reply made
// into the node's output (outputSchema checked) with model, tokens, cost,
// time to first token and tokens per second, or the failure.
//
// Tools: a model call that ends with tool calls starts a round of tool runs
// (function-blocks in the jq sandbox); each call and each result is a
// node_stream event, and once every result is in the provider calls the
// model again with the whole conversation. An attempt after a crash or a
// failure goes on from the recorded calls and results (task.tool_steps): a
// recorded result is never computed again, a recorded call never asked for
// again.
#pragma once

#include "actors/breaker_board.hpp"
#include "actors/connection_directory.hpp"
#include "actors/llm_transport.hpp"
#include "actors/node_actor.hpp"
#include "actors/usage_meter.hpp"

#include "runtime/llm/llm_request.hpp"
#include "runtime/llm/llm_stream.hpp"
#include "runtime/llm/price_table.hpp"
#include "runtime/llm/provider_errors.hpp"

#include <boost/json/array.hpp>
#include <caf/scheduled_actor.hpp>

#include <map>

namespace baley::actors {

struct ai_task {
  std::shared_ptr<const node_task> task;
  // The node's own ai-block, its loop body's or its router's classifier;
  // kept alive by task->flow.
  const runtime::ai_settings* settings = nullptr;
  std::shared_ptr<const connection_directory> connections;
  std::shared_ptr<const runtime::price_table> prices;
  std::shared_ptr<llm_transport> transport;
  std::shared_ptr<breaker_board> breakers;
  std::shared_ptr<usage_meter> usage;  // may be null
  std::string model;                // this attempt's model (a fallback or the first)
  std::uint32_t max_attempts = 1;   // for "attempt n of m" in errors
  bool debug = false;               // errors carry the provider's raw body
};

class ai_attempt {
public:
  ai_attempt(ai_task job, node_context context, connection_info connection);

  const ai_task& job() const { return job_; }
  const node_task& task() const { return *job_.task; }
  // spawn_ai_node makes attempts only of ai-blocks.
  const runtime::ai_settings& settings() const { return *job_.settings; }
  // A router's classifier: the answer names the route.
  bool classifies() const;
  const connection_info& connection() const { return connection_; }
  unix_ms now() const { return context_.time->now(); }
  // Who the failure messages name (never with the key shown).
  runtime::provider_call call() const;

  // The breaker's permission, asked once when the attempt starts: a refusal
  // is this attempt's failure. `self` is told nothing; a probe that ends
  // without a verdict (a cancel) is given back to the breaker at its exit.
  std::optional<runtime::node_failure> ask_breaker(caf::scheduled_actor* self);

  // What the provider does next: call the model, or wait (for tool
  // results, or because the outcome was reported and the actor quits).
  enum class next_step { call_model, wait };

  // After the breaker's permission: runs the tools a previous attempt left
  // without a result, or says to call the model.
  next_step start(caf::scheduled_actor* self);
  // The request of the next model call: the prompt, the tools and every
  // finished round.
  runtime::llm_request next_request() const;
  // The model call number (1 for the first), and the tool calls so far.
  std::uint32_t round() const { return round_; }
  const std::vector<runtime::tool_step>& tool_steps() const { return steps_; }

  // The reply as it arrives.
  void add_text(caf::scheduled_actor* self, std::string_view delta);
  void add_tool_call(caf::scheduled_actor* self, const runtime::tool_call& call);
  void set_usage(runtime::token_usage usage) { usage_ = usage; }
  const std::string& reply() const { return reply_; }

  // The model call ended normally: the outcome, or a round of tools.
  next_step round_ended(caf::scheduled_actor* self);
  // A tool's evaluation answered (jq_done_atom to the provider actor).
  next_step tool_done(caf::scheduled_actor* self, std::uint64_t tag,
                      const sandbox::jq_reply& reply);

  // The outcome, reported to the execution actor (the breaker told how the
  // call went); then `self` quits.
  void complete(caf::scheduled_actor* self);
  void fail(caf::scheduled_actor* self, runtime::node_failure failure);

private:
  void stream(caf::scheduled_actor* self, boost::json::object event);
  next_step run_tools(caf::scheduled_actor* self);
  void set_result(caf::scheduled_actor* self, std::size_t step, boost::json::value output);
  boost::json::array tool_calls_json(std::optional<std::uint32_t> only_round) const;
  void classify(caf::scheduled_actor* self, runtime::ai_outcome ai);
  void report(caf::scheduled_actor* self, runtime::task_outcome outcome, bool tell_breaker,
              bool retryable_failure);

  ai_task job_;
  node_context context_;
  connection_info connection_;
  unix_ms started_ = 0;
  unix_ms first_token_ = 0;
  std::string reply_;                  // this model call's text
  runtime::token_usage usage_;         // this model call's usage
  runtime::token_usage earlier_usage_; // the earlier calls' of this attempt
  std::vector<runtime::tool_step> steps_;
  std::map<std::uint32_t, std::string> round_text_;
  std::uint32_t round_ = 1;
  std::map<std::uint64_t, std::size_t> running_;  // jq tag -> step
  std::uint64_t next_tag_ = 1;
  // The sandbox jobs of the running tools, cancelled if the actor ends.
  std::shared_ptr<std::map<std::uint64_t, std::uint64_t>> jobs_ =
    std::make_shared<std::map<std::uint64_t, std::uint64_t>>();
  // The breaker got its verdict (shared with the exit hook).
  std::shared_ptr<bool> verdict_ = std::make_shared<bool>(false);
};

} // namespace baley::actors
