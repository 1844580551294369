// The ai-block node actor; see ai_node_actor.hpp. Providers: `simulated`
// (built in, no network: a deterministic reply streamed word by word); the
// HTTP providers (openai, anthropic, ollama) arrive with the streaming
// transport.
#include "actors/ai_node_actor.hpp"

#include "actors/clock.hpp"

#include <caf/all.hpp>

#include <boost/json.hpp>

#include <charconv>

namespace baley::actors {
namespace json = boost::json;
using namespace runtime;

namespace {

using token_atom = caf::atom_constant<caf::atom("token")>;

constexpr std::int64_t default_token_delay_ms = 20;

std::vector<std::string> words_of(std::string_view text) {
  std::vector<std::string> words;
  std::size_t i = 0;
  while (i < text.size()) {
    auto end = text.find(' ', i);
    end = end == std::string_view::npos ? text.size() : end + 1;
    words.emplace_back(text.substr(i, end - i));
    i = end;
  }
  return words;
}

std::int64_t count_words(std::string_view text) {
  std::int64_t n = 0;
  bool in_word = false;
  for (char c : text) {
    bool space = c == ' ' || c == '\n' || c == '\t';
    n += !space && !in_word;
    in_word = !space;
  }
  return n;
}

// "simulated://?tokenDelayMs=5": the delay between streamed words.
std::int64_t token_delay_of(std::string_view base_url) {
  constexpr std::string_view key = "tokenDelayMs=";
  auto at = base_url.find(key);
  if (at == std::string_view::npos)
    return default_token_delay_ms;
  std::int64_t ms = default_token_delay_ms;
  auto digits = base_url.substr(at + key.size());
  std::from_chars(digits.data(), digits.data() + digits.size(), ms);
  return std::clamp<std::int64_t>(ms, 0, 10'000);
}

struct ai_state {
  ai_task job;
  caf::actor parent;
  std::vector<std::string> chunks;
  std::size_t next = 0;
  std::int64_t delay_ms = default_token_delay_ms;
  std::int64_t input_tokens = 0;
  unix_ms started = 0;
  unix_ms first_token = 0;
  std::string reply;
};

using ai_actor = caf::stateful_actor<ai_state>*;

void report(ai_actor self, std::variant<node_output, node_failure> outcome) {
  const auto& task = *self->state.job.task;
  node_report r{task.node->id, task.iteration, task.attempt, {}};
  if (auto* out = std::get_if<node_output>(&outcome))
    r.outcome = std::move(*out);
  else
    r.outcome = std::get<node_failure>(std::move(outcome));
  self->send(self->state.parent, node_done_atom::value,
             node_report_ptr(std::make_shared<const node_report>(std::move(r))));
  self->quit();
}

// The reply is complete: the output, checked against outputSchema if any.
void complete(ai_actor self) {
  auto& st = self->state;
  const auto& settings = *st.job.task->node->ai;
  auto now = now_ms();
  ai_outcome ai;
  ai.model = st.job.model;
  ai.input_tokens = st.input_tokens;
  ai.output_tokens = static_cast<std::int64_t>(st.chunks.size());
  ai.ttft_ms = st.first_token ? st.first_token - st.started : now - st.started;
  auto streaming_ms = std::max<std::int64_t>(1, now - (st.first_token ? st.first_token : now));
  ai.tokens_per_second = double(ai.output_tokens) * 1000.0 / double(streaming_ms);
  if (st.job.prices)
    ai.cost = st.job.prices->cost(ai.model, token_usage{ai.input_tokens, ai.output_tokens});
  if (!settings.output_schema)
    return report(self, node_output{json::value(st.reply), std::nullopt, std::move(ai)});
  boost::system::error_code ec;
  auto parsed = json::parse(st.reply, ec);
  if (ec)
    return report(self, node_failure{"model " + st.job.model + " did not answer JSON: "
                                       + ec.message(), false, std::nullopt});
  if (auto valid = settings.output_schema->validate(parsed, "output"); !valid)
    return report(self, node_failure{"the reply does not match outputSchema: "
                                       + valid.error().message, false, std::nullopt});
  report(self, node_output{std::move(parsed), std::nullopt, std::move(ai)});
}

void next_token(ai_actor self) {
  auto& st = self->state;
  if (st.next == st.chunks.size())
    return complete(self);
  if (!st.first_token)
    st.first_token = now_ms();
  const auto& task = *st.job.task;
  auto piece = std::make_shared<const stream_report>(stream_report{
    task.node->id, task.iteration, task.attempt,
    json::object{{"type", "text_delta"}, {"content", st.chunks[st.next]}}});
  self->send(st.parent, stream_atom::value, stream_report_ptr(std::move(piece)));
  ++st.next;
  self->delayed_send(self, std::chrono::milliseconds(st.delay_ms), token_atom::value);
}

// The simulated provider: the reply is the prompt's user message echoed
// back, or with outputSchema the input itself as JSON. A model whose name
// starts with "fail" fails every attempt with a retryable error, so that
// retries and fallback models can be seen without a network.
void simulate(ai_actor self, const connection_info& connection) {
  auto& st = self->state;
  if (st.job.model.rfind("fail", 0) == 0)
    return report(self, node_failure{"simulated connection '" + connection.name + "', model "
                                       + st.job.model + ": simulated failure (attempt "
                                       + std::to_string(st.job.task->attempt) + ")",
                                     true, std::nullopt});
  const auto& task = *st.job.task;
  const auto& settings = *task.node->ai;
  auto user = render_user_message(settings, task.input);
  st.reply = settings.output_schema ? json::serialize(task.input)
                                    : "Simulated reply (" + st.job.model + "): " + user;
  st.chunks = words_of(st.reply);
  st.delay_ms = token_delay_of(connection.base_url);
  st.input_tokens = count_words(settings.system_prompt) + count_words(user);
  self->delayed_send(self, std::chrono::milliseconds(st.delay_ms), token_atom::value);
}

} // namespace

namespace {

caf::behavior ai_node_behavior(ai_actor self, caf::actor parent, ai_task job) {
  auto& st = self->state;
  st.job = std::move(job);
  st.parent = std::move(parent);
  st.started = now_ms();
  const auto& settings = *st.job.task->node->ai;
  auto connection = st.job.connections ? st.job.connections->find(settings.connection_id)
                                       : std::nullopt;
  if (!connection) {
    self->send(self, token_atom::value);  // reported from the behavior below
  } else if (connection->type == "simulated") {
    simulate(self, *connection);
  } else {
    self->send(self, token_atom::value);
    st.reply = "provider '" + connection->type + "' (connection '" + connection->name
               + "') is not available in this build yet";
  }
  return {
    [self, has_connection = connection.has_value(),
     simulated = connection && connection->type == "simulated"](token_atom) {
      auto& st = self->state;
      if (!has_connection)
        return report(self, node_failure{"connection '" + st.job.task->node->ai->connection_id
                                           + "' not found", false, std::nullopt});
      if (!simulated)
        return report(self, node_failure{st.reply, false, std::nullopt});
      next_token(self);
    },
  };
}

} // namespace

caf::actor spawn_ai_node(caf::event_based_actor* spawner, caf::actor parent, ai_task job) {
  auto actor = spawner->spawn<caf::monitored>(ai_node_behavior, std::move(parent), std::move(job));
  return actor;
}

} // namespace baley::actors
