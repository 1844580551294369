// The ai-block node actor; see ai_node_actor.hpp. Providers: `simulated`
// (built in, no network: a deterministic reply streamed word by word), and
// over HTTP `openai` (and OpenAI-compatible `ollama`) and `anthropic`,
// streamed through the shared libcurl transport and decoded as they arrive.
#include "actors/ai_node_actor.hpp"

#include "actors/clock.hpp"
#include "runtime/llm/llm_stream.hpp"
#include "runtime/llm/provider_errors.hpp"

#include <caf/all.hpp>

#include <boost/json.hpp>

#include <charconv>

namespace baley::actors {
namespace json = boost::json;
using namespace runtime;

namespace {

using token_atom = caf::atom_constant<caf::atom("token")>;
using http_status_atom = caf::atom_constant<caf::atom("httpstatus")>;
using http_data_atom = caf::atom_constant<caf::atom("httpdata")>;
using http_done_atom = caf::atom_constant<caf::atom("httpdone")>;

constexpr std::size_t max_error_body = 64 * 1024;

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
  token_usage usage;
  // HTTP providers.
  std::optional<connection_info> connection;
  std::unique_ptr<llm_stream_decoder> decoder;
  long status = 0;
  std::string error_body;
  bool ended = false;
  std::optional<node_failure> failed;
  boost::json::array tool_calls;
  // The breaker was told how the call went (shared with the exit hook).
  std::shared_ptr<bool> verdict = std::make_shared<bool>(false);
};

using ai_actor = caf::stateful_actor<ai_state>*;

runtime::breaker_key breaker_key_of(const ai_state& st) {
  return {st.job.task->node->ai->connection_id, st.job.model};
}

void report(ai_actor self, std::variant<node_output, node_failure> outcome) {
  auto& st = self->state;
  auto* failure = std::get_if<node_failure>(&outcome);
  if (st.job.breakers && !(failure && failure->breaker_open)) {
    st.job.breakers->record(breaker_key_of(st), failure && failure->retryable, now_ms());
    *st.verdict = true;
  }
  const auto& task = *self->state.job.task;
  task_report r{.task = task.key, .attempt = task.attempt};
  if (auto* out = std::get_if<node_output>(&outcome))
    r.outcome = std::move(*out);
  else
    r.outcome = std::get<node_failure>(std::move(outcome));
  self->send(self->state.parent, node_done_atom::value,
             task_report_ptr(std::make_shared<const task_report>(std::move(r))));
  self->quit();
}

// The reply is complete: the output, checked against outputSchema if any.
void complete(ai_actor self) {
  auto& st = self->state;
  const auto& settings = *st.job.task->node->ai;
  auto now = now_ms();
  ai_outcome ai;
  ai.model = st.job.model;
  ai.input_tokens = st.usage.input;
  ai.output_tokens = st.usage.output;
  ai.ttft_ms = st.first_token ? st.first_token - st.started : now - st.started;
  auto streaming_ms = std::max<std::int64_t>(1, now - (st.first_token ? st.first_token : now));
  ai.tokens_per_second = double(ai.output_tokens) * 1000.0 / double(streaming_ms);
  if (st.job.prices)
    ai.cost = st.job.prices->cost(ai.model, token_usage{ai.input_tokens, ai.output_tokens});
  if (!settings.output_schema) {
    // A reply made only of tool calls is {"toolCalls": [...]}.
    json::value output = st.reply.empty() && !st.tool_calls.empty()
                           ? json::value(json::object{{"toolCalls", st.tool_calls}})
                           : json::value(st.reply);
    return report(self, node_output{std::move(output), std::nullopt, std::move(ai)});
  }
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
  if (st.next == st.chunks.size()) {
    st.usage = token_usage{st.input_tokens, static_cast<std::int64_t>(st.chunks.size())};
    return complete(self);
  }
  if (!st.first_token)
    st.first_token = now_ms();
  const auto& task = *st.job.task;
  auto piece = std::make_shared<const stream_piece>(stream_piece{
    task.key, task.attempt,
    json::object{{"type", "text_delta"}, {"content", st.chunks[st.next]}}});
  self->send(st.parent, stream_atom::value, stream_piece_ptr(std::move(piece)));
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

// ---- HTTP providers --------------------------------------------------------

provider_call call_of(ai_actor self) {
  const auto& st = self->state;
  return provider_call{st.connection->type, st.connection->name, st.job.model,
                       st.job.task->attempt, st.job.max_attempts, st.connection->api_key,
                       st.job.debug};
}

void send_piece(ai_actor self, json::object event) {
  const auto& task = *self->state.job.task;
  auto piece = std::make_shared<const stream_piece>(
    stream_piece{task.key, task.attempt, std::move(event)});
  self->send(self->state.parent, stream_atom::value, stream_piece_ptr(std::move(piece)));
}

void take_updates(ai_actor self, std::vector<llm_update> updates) {
  auto& st = self->state;
  for (auto& u : updates) {
    if (auto* text = std::get_if<text_delta>(&u)) {
      if (!st.first_token)
        st.first_token = now_ms();
      st.reply += text->content;
      send_piece(self, json::object{{"type", "text_delta"}, {"content", text->content}});
    } else if (auto* call = std::get_if<tool_call>(&u)) {
      json::object event{{"type", "tool_call"}, {"id", call->id}, {"name", call->name},
                         {"arguments", call->arguments}};
      st.tool_calls.push_back(event);
      send_piece(self, std::move(event));
    } else if (auto* usage = std::get_if<token_usage>(&u)) {
      st.usage = *usage;  // a running total: the latest replaces the earlier
    } else if (std::holds_alternative<stream_end>(u)) {
      st.ended = true;
    } else if (auto* failure = std::get_if<stream_failure>(&u)) {
      st.failed = stream_error(call_of(self), *failure);
    }
  }
}

void call_provider(ai_actor self) {
  auto& st = self->state;
  const auto& task = *st.job.task;
  const auto& settings = *task.node->ai;
  const auto& connection = *st.connection;
  auto wire = connection.type == "anthropic" ? llm_wire::anthropic : llm_wire::openai;
  st.decoder = make_stream_decoder(wire);
  llm_request request{st.job.model, settings.system_prompt,
                      render_user_message(settings, task.input), settings.temperature,
                      settings.max_tokens, std::nullopt};
  if (!settings.output_schema_json.is_null())
    request.output_schema = settings.output_schema_json;
  transfer_request transfer{llm_endpoint(wire, connection.base_url),
                            {"Content-Type: application/json", "Accept: text/event-stream"},
                            llm_request_body(wire, request)};
  if (wire == llm_wire::anthropic) {
    transfer.headers.push_back("anthropic-version: 2023-06-01");
    if (!connection.api_key.empty())
      transfer.headers.push_back("x-api-key: " + connection.api_key);
  } else if (!connection.api_key.empty()) {
    transfer.headers.push_back("Authorization: Bearer " + connection.api_key);
  }
  transfer.total_timeout = std::chrono::milliseconds(settings.timeout_ms);
  transfer.idle_timeout = std::min(transfer.idle_timeout, transfer.total_timeout);
  caf::actor me = caf::actor_cast<caf::actor>(self);
  auto transport = st.job.transport;
  auto id = transport->start(
    std::move(transfer),
    transfer_events{
      [me](long status) { caf::anon_send(me, http_status_atom::value, status); },
      [me](std::string bytes) { caf::anon_send(me, http_data_atom::value, std::move(bytes)); },
      [me](transfer_result r) {
        caf::anon_send(me, http_done_atom::value, r.status, r.aborted,
                       r.failure ? static_cast<int>(*r.failure) : -1, r.detail, r.retry_after);
      }});
  // However this actor ends (a cancel, a shutdown), the transfer stops.
  self->attach_functor([transport, id] { transport->abort(id); });
}

void on_http_data(ai_actor self, std::string bytes) {
  auto& st = self->state;
  if (st.status < 200 || st.status >= 300) {
    if (st.error_body.size() < max_error_body)
      st.error_body += bytes.substr(0, max_error_body - st.error_body.size());
    return;
  }
  take_updates(self, st.decoder->feed(bytes));
}

void on_http_done(ai_actor self, long status, bool aborted, int failure, const std::string& detail,
                  const std::string& retry_after) {
  auto& st = self->state;
  if (aborted)
    return self->quit();
  auto call = call_of(self);
  if (status >= 300 || (status > 0 && status < 200))
    return report(self, http_failure(call, static_cast<int>(status), st.error_body, retry_after,
                                     now_ms()));
  if (failure >= 0)
    return report(self, transport_failure(call, static_cast<transport_error>(failure), detail));
  take_updates(self, st.decoder->finish());
  if (st.failed)
    return report(self, *st.failed);
  if (!st.ended)
    return report(self, transport_failure(call, transport_error::stream_cut));
  complete(self);
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
  if (connection && st.job.breakers) {
    auto permit = st.job.breakers->ask(breaker_key_of(st), settings.breaker, st.started);
    if (!permit.allowed) {
      provider_call call{connection->type, connection->name, st.job.model,
                         st.job.task->attempt, st.job.max_attempts, connection->api_key, false};
      auto refused = breaker_refusal(call, permit, st.started);
      refused.breaker_open = true;
      report(self, std::move(refused));
      return {};
    }
    // Cancelled before a verdict: a probe frees the half-open breaker.
    if (permit.probe)
      self->attach_functor([verdict = st.verdict, breakers = st.job.breakers,
                            key = breaker_key_of(st)] {
        if (!*verdict)
          breakers->abandon(key);
      });
  }
  if (!connection) {
    self->send(self, token_atom::value);  // reported from the behavior below
  } else if (connection->type == "simulated") {
    simulate(self, *connection);
  } else if (st.job.transport) {
    st.connection = connection;
    call_provider(self);
  } else {
    self->send(self, token_atom::value);
    st.reply = "provider '" + connection->type + "' (connection '" + connection->name
               + "') needs the HTTP transport, which this process does not run";
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
    [self](http_status_atom, long status) { self->state.status = status; },
    [self](http_data_atom, std::string& bytes) { on_http_data(self, std::move(bytes)); },
    [self](http_done_atom, long status, bool aborted, int failure, const std::string& detail,
           const std::string& retry_after) {
      on_http_done(self, status, aborted, failure, detail, retry_after);
    },
  };
}

} // namespace

caf::actor spawn_ai_node(caf::event_based_actor* spawner, caf::actor parent, ai_task job) {
  auto actor = spawner->spawn<caf::monitored>(ai_node_behavior, std::move(parent), std::move(job));
  return actor;
}

} // namespace baley::actors
