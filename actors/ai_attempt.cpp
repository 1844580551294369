// The shared part of an ai-block attempt; see ai_attempt.hpp.
#include "actors/ai_attempt.hpp"

#include "os/stack_trace.hpp"
#include "runtime/json_text.hpp"
#include "sandbox/jq_frames.hpp"

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
  // Arguments the model did not write as JSON stay text; the tool then
  // answers an error instead of running.
  boost::system::error_code ec;
  auto arguments = json::parse(call.arguments.empty() ? "{}" : call.arguments, ec);
  if (ec)
    arguments = json::value(call.arguments);
  steps_.push_back(tool_step{.id = call.id, .name = call.name, .arguments = arguments,
                             .round = round_});
  stream(self, json::object{{"type", "tool_call"}, {"id", call.id}, {"name", call.name},
                            {"arguments", std::move(arguments)}, {"round", round_}});
}

ai_attempt::next_step ai_attempt::start(caf::scheduled_actor* self) {
  steps_ = task().tool_steps;
  self->attach_functor([jobs = jobs_, jq = context_.jq] {
    for (const auto& [tag, job] : *jobs)
      jq->cancel(job);
  });
  if (steps_.empty())
    return next_step::call_model;
  round_ = steps_.back().round;
  for (const auto& step : steps_)
    if (step.round == round_ && !step.output)
      return run_tools(self);  // the last round's results are not all in
  ++round_;
  return next_step::call_model;
}

llm_request ai_attempt::next_request() const {
  const auto& s = settings();
  llm_request request{.model = job_.model,
                      .system_prompt = s.system_prompt,
                      .user_message = render_user_message(s, task().input),
                      .temperature = s.temperature,
                      .max_tokens = s.max_tokens};
  if (!s.output_schema_json.is_null())
    request.output_schema = s.output_schema_json;
  for (const auto& t : s.tools)
    request.tools.push_back(tool_offer{t.name, t.description, t.parameters});
  for (const auto& step : steps_) {
    if (step.round >= round_)
      break;
    if (request.rounds.empty() || request.rounds.size() < step.round) {
      auto text = round_text_.find(step.round);
      request.rounds.push_back(
        tool_round{text == round_text_.end() ? std::string() : text->second, {}});
    }
    request.rounds.back().calls.push_back(tool_exchange{
      step.id, step.name, step.arguments, step.output ? *step.output : json::value()});
  }
  return request;
}

ai_attempt::next_step ai_attempt::round_ended(caf::scheduled_actor* self) {
  bool called = false;
  for (const auto& step : steps_)
    if (step.round == round_) {
      called = true;
      // A tool the server does not run (no blockId): the caller runs it; the
      // node's output is the calls.
      const auto* tool = settings().tool(step.name);
      if (tool && !tool->block_id) {
        complete(self);
        return next_step::wait;
      }
    }
  if (!called) {
    complete(self);
    return next_step::wait;
  }
  if (round_ > settings().max_tool_rounds) {
    fail(self, node_failure{.message = "model " + job_.model + " asked for tools again after "
                                       + std::to_string(settings().max_tool_rounds)
                                       + " rounds (maxToolRounds)",
                            .code = "tool_rounds_exceeded"});
    return next_step::wait;
  }
  earlier_usage_.input += usage_.input;
  earlier_usage_.output += usage_.output;
  usage_ = {};
  round_text_[round_] = std::move(reply_);
  reply_.clear();
  return run_tools(self);
}

// Runs every tool call of the current round that has no result yet.
ai_attempt::next_step ai_attempt::run_tools(caf::scheduled_actor* self) {
  for (std::size_t i = 0; i < steps_.size(); ++i) {
    auto& step = steps_[i];
    if (step.round != round_ || step.output)
      continue;
    const auto* tool = settings().tool(step.name);
    if (!tool || !tool->program) {
      set_result(self, i, json::object{{"error", "there is no tool named '" + step.name + "'"}});
      continue;
    }
    if (!step.arguments.is_object()) {
      set_result(self, i, json::object{{"error", "the arguments are not a JSON object"}});
      continue;
    }
    if (auto valid = tool->parameters_schema->validate(step.arguments, "arguments"); !valid) {
      set_result(self, i, json::object{{"error", valid.error().message}});
      continue;
    }
    auto tag = next_tag_++;
    running_[tag] = i;
    jq_evaluation evaluation{.program = tool->program.get(), .input = &step.arguments,
                             .timeout_ms = std::nullopt};
    (*jobs_)[tag] = submit_evaluation(*context_.jq, evaluation, caf::actor_cast<caf::actor>(self),
                                      tag, context_.via);
  }
  if (!running_.empty())
    return next_step::wait;
  ++round_;
  return next_step::call_model;
}

ai_attempt::next_step ai_attempt::tool_done(caf::scheduled_actor* self, std::uint64_t tag,
                                            const sandbox::jq_reply& reply) {
  auto it = running_.find(tag);
  if (it == running_.end())
    return next_step::wait;
  auto step = it->second;
  running_.erase(it);
  jobs_->erase(tag);
  auto outputs = sandbox::outputs_of(reply);
  if (!outputs && outputs.error().code == "limit_exceeded") {
    fail(self, node_failure{.message = "tool '" + steps_[step].name + "': "
                                       + outputs.error().message,
                            .code = "limit_exceeded"});
    return next_step::wait;
  }
  json::value output;
  if (!outputs)
    output = json::object{{"error", outputs.error().message}};
  else if (outputs->size() == 1)
    output = std::move(outputs->front());
  else if (!outputs->empty())
    output = json::array(outputs->begin(), outputs->end());
  set_result(self, step, std::move(output));
  if (!running_.empty())
    return next_step::wait;
  ++round_;
  return next_step::call_model;
}

void ai_attempt::set_result(caf::scheduled_actor* self, std::size_t step, json::value output) {
  steps_[step].output = output;
  stream(self, json::object{{"type", "tool_result"}, {"id", steps_[step].id},
                            {"output", std::move(output)}});
}

json::array ai_attempt::tool_calls_json(std::optional<std::uint32_t> only_round) const {
  json::array calls;
  for (const auto& step : steps_)
    if (!only_round || step.round == *only_round)
      calls.push_back(json::object{{"id", step.id},
                                   {"name", step.name},
                                   {"arguments", step.arguments},
                                   {"output", step.output ? *step.output : json::value()}});
  return calls;
}

void ai_attempt::report(caf::scheduled_actor* self, task_outcome outcome, bool tell_breaker,
                        bool retryable_failure) {
  if (job_.usage && tell_breaker) {
    const auto* out = std::get_if<node_output>(&outcome);
    if (out && out->ai)
      job_.usage->ai_call(provider_kind_name(connection_.kind), job_.model, true,
                          out->ai->input_tokens, out->ai->output_tokens, out->ai->cost);
    else
      job_.usage->ai_call(provider_kind_name(connection_.kind), job_.model, false,
                          earlier_usage_.input + usage_.input,
                          earlier_usage_.output + usage_.output, 0);
  }
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
  if (job_.debug)
    failure.debug = json::object{{"detail", "provider " + std::string(provider_kind_name(connection_.kind))
                                              + ", model " + job_.model + ", attempt "
                                              + std::to_string(task().attempt) + ": "
                                              + failure.message},
                                 {"stackTrace", os::current_stack_trace()}};

  bool tell_breaker = !failure.breaker_open;
  bool retryable = failure.retryable;
  report(self, std::move(failure), tell_breaker, retryable);
}

bool ai_attempt::classifies() const {
  const auto* router = task().node->settings_of<router_settings>();
  return router && router->classifier && !task().key.iteration;
}

// The classifier's answer names the route: a JSON string or {"route"}, else
// the reply's text trimmed. An unknown name takes the default route, or
// fails the router.
void ai_attempt::classify(caf::scheduled_actor* self, ai_outcome ai) {
  const auto& router = *task().node->settings_of<router_settings>();
  auto text = reply_;
  auto trim = [](std::string& s) {
    auto first = s.find_first_not_of(" \t\r\n\"'`.");
    auto last = s.find_last_not_of(" \t\r\n\"'`.");
    s = first == std::string::npos ? std::string() : s.substr(first, last - first + 1);
  };
  boost::system::error_code ec;
  auto parsed = json::parse(reply_, ec);
  if (!ec && parsed.is_string())
    text = std::string(parsed.get_string());
  else if (!ec && parsed.is_object())
    if (const auto* r = parsed.get_object().if_contains("route"); r && r->is_string())
      text = std::string(r->get_string());
  trim(text);
  std::optional<std::string> route;
  for (const auto& r : router.routes)
    if (r.name == text)
      route = r.name;
  if (!route)
    route = router.default_route;
  if (!route)
    return fail(self, node_failure{.message = "no route matched: the classifier answered \""
                                              + text.substr(0, 200) + "\""});
  report(self, node_output{.value = task().input, .route = std::move(route), .ai = std::move(ai)},
         true, false);
}

void ai_attempt::complete(caf::scheduled_actor* self) {
  auto at = now();
  ai_outcome ai{.model = job_.model,
                .input_tokens = earlier_usage_.input + usage_.input,
                .output_tokens = earlier_usage_.output + usage_.output,
                .ttft_ms = first_token_ ? first_token_ - started_ : at - started_,
                .tool_calls = tool_calls_json(std::nullopt)};
  auto streaming_ms = std::max<std::int64_t>(1, at - (first_token_ ? first_token_ : at));
  ai.tokens_per_second = double(ai.output_tokens) * 1000.0 / double(streaming_ms);
  if (job_.prices)
    ai.cost = job_.prices->cost(ai.model, token_usage{ai.input_tokens, ai.output_tokens});
  if (classifies())
    return classify(self, std::move(ai));

  if (!settings().output_schema) {
    // A reply made only of tool calls the server does not run is
    // {"toolCalls": [...]}.
    auto calls = tool_calls_json(round_);
    json::value output = reply_.empty() && !calls.empty()
                           ? json::value(json::object{{"toolCalls", std::move(calls)}})
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
