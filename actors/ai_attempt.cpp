// The shared part of an ai-block attempt; see ai_attempt.hpp.
#include "actors/ai_attempt.hpp"

#include <caf/all.hpp>

#include <boost/json.hpp>

namespace baley::actors {
namespace json = boost::json;
using namespace runtime;

ai_attempt::ai_attempt(ai_task job, node_context context, connection_info connection)
  : job_(std::move(job)), context_(std::move(context)), connection_(std::move(connection)),
    started_(context_.time->now()) {}

provider_call ai_attempt::call() const {
  return provider_call{.provider = std::string(provider_kind_name(connection_.kind)),
                       .connection = connection_.name,
                       .model = job_.model,
                       .attempt = job_.task->attempt,
                       .max_attempts = job_.max_attempts,
                       .secret = connection_.api_key,
                       .debug = job_.debug};
}

std::optional<node_failure> ai_attempt::ask_breaker(caf::scheduled_actor* self) {
  if (!job_.breakers)
    return std::nullopt;
  breaker_key key{settings().connection_id, job_.model};
  auto permit = job_.breakers->ask(key, settings().breaker, started_);
  if (!permit.allowed) {
    auto call_without_debug = call();
    call_without_debug.debug = false;
    auto refused = breaker_refusal(call_without_debug, permit, started_);
    refused.breaker_open = true;
    return refused;
  }
  // Cancelled before a verdict: a probe frees the half-open breaker.
  if (permit.probe)
    self->attach_functor([verdict = verdict_, breakers = job_.breakers, key] {
      if (!*verdict)
        breakers->abandon(key);
    });
  return std::nullopt;
}

void ai_attempt::stream(caf::scheduled_actor* self, json::object event) {
  const auto& t = task();
  auto piece = std::make_shared<const stream_piece>(stream_piece{t.key, t.attempt, std::move(event)});
  caf::anon_send(context_.parent, stream_atom_v, stream_piece_ptr(std::move(piece)));
}

void ai_attempt::add_text(caf::scheduled_actor* self, std::string_view delta) {
  if (!first_token_)
    first_token_ = now();
  reply_ += delta;
  stream(self, json::object{{"type", "text_delta"}, {"content", delta}});
}

void ai_attempt::add_tool_call(caf::scheduled_actor* self, const tool_call& call) {
  json::object event{{"type", "tool_call"}, {"id", call.id}, {"name", call.name},
                     {"arguments", call.arguments}};
  tool_calls_.push_back(event);
  stream(self, std::move(event));
}

void ai_attempt::report(caf::scheduled_actor* self, task_outcome outcome, bool tell_breaker,
                        bool retryable_failure) {
  if (job_.breakers && tell_breaker) {
    job_.breakers->record({settings().connection_id, job_.model}, retryable_failure, now());
    *verdict_ = true;
  }
  const auto& t = task();
  auto r = std::make_shared<const task_report>(task_report{t.key, t.attempt, std::move(outcome)});
  caf::anon_send(context_.parent, node_done_atom_v, task_report_ptr(std::move(r)));
  self->quit();
}

void ai_attempt::fail(caf::scheduled_actor* self, node_failure failure) {
  bool tell_breaker = !failure.breaker_open;
  bool retryable = failure.retryable;
  report(self, std::move(failure), tell_breaker, retryable);
}

void ai_attempt::complete(caf::scheduled_actor* self) {
  auto at = now();
  ai_outcome ai{.model = job_.model,
                .input_tokens = usage_.input,
                .output_tokens = usage_.output,
                .ttft_ms = first_token_ ? first_token_ - started_ : at - started_};
  auto streaming_ms = std::max<std::int64_t>(1, at - (first_token_ ? first_token_ : at));
  ai.tokens_per_second = double(ai.output_tokens) * 1000.0 / double(streaming_ms);
  if (job_.prices)
    ai.cost = job_.prices->cost(ai.model, token_usage{ai.input_tokens, ai.output_tokens});
  if (!settings().output_schema) {
    // A reply made only of tool calls is {"toolCalls": [...]}.
    json::value output = reply_.empty() && !tool_calls_.empty()
                           ? json::value(json::object{{"toolCalls", tool_calls_}})
                           : json::value(reply_);
    return report(self, node_output{.value = std::move(output), .ai = std::move(ai)}, true,
                  false);
  }
  boost::system::error_code ec;
  auto parsed = json::parse(reply_, ec);
  if (ec)
    return fail(self, node_failure{.message = "model " + job_.model
                                              + " did not answer JSON: " + ec.message()});
  if (auto valid = settings().output_schema->validate(parsed, "output"); !valid)
    return fail(self, node_failure{.message = "the reply does not match outputSchema: "
                                              + valid.error().message});
  report(self, node_output{.value = std::move(parsed), .ai = std::move(ai)}, true, false);
}

} // namespace baley::actors
