// The simulated provider; see simulated_provider.hpp.
#include "actors/simulated_provider.hpp"

#include <caf/all.hpp>

#include <boost/json/serialize.hpp>

#include <charconv>

namespace baley::actors {
namespace {

constexpr std::int64_t default_token_delay_ms = 20;

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

struct simulated_state {
  std::optional<ai_attempt> attempt;
  std::vector<std::string> chunks;
  std::size_t next = 0;
  std::chrono::milliseconds delay{default_token_delay_ms};
  std::int64_t input_tokens = 0;
};

using simulated_self = simulated_provider_actor::stateful_pointer<simulated_state>;

void next(simulated_self self, ai_attempt::next_step step);

void next_token(simulated_self self) {
  auto& st = self->state;
  auto& attempt = *st.attempt;
  if (st.next == st.chunks.size()) {
    attempt.set_usage({st.input_tokens, static_cast<std::int64_t>(st.chunks.size())});
    return next(self, attempt.round_ended(self));
  }
  attempt.add_text(self, st.chunks[st.next++]);
  self->delayed_send(self, st.delay, token_atom_v);
}

// One model call. With tools the server runs, the first call asks the first
// of them, with the input as its arguments; the reply then tells what each
// tool returned.
void call_model(simulated_self self) {
  auto& st = self->state;
  auto& a = *st.attempt;
  const auto& settings = a.settings();
  auto user = render_user_message(settings, a.task().input);
  st.input_tokens = count_words(settings.system_prompt) + count_words(user);
  if (a.round() == 1 && a.tool_steps().empty())
    for (const auto& tool : settings.tools)
      if (tool.block_id) {
        const auto& input = a.task().input;
        auto arguments = input.is_object() ? input : boost::json::object{{"input", input}};
        a.add_tool_call(self, runtime::tool_call{"call_1", tool.name,
                                                 boost::json::serialize(arguments)});
        a.set_usage({st.input_tokens, 1});
        return next(self, a.round_ended(self));
      }
  auto reply = settings.output_schema ? boost::json::serialize(a.task().input)
                                      : "Simulated reply (" + a.job().model + "): " + user;
  if (!settings.output_schema)
    for (const auto& step : a.tool_steps())
      reply += " Tool " + step.name + " returned "
               + boost::json::serialize(step.output ? *step.output : boost::json::value()) + ".";
  st.chunks = words_of(reply);
  st.next = 0;
  self->delayed_send(self, st.delay, token_atom_v);
}

void next(simulated_self self, ai_attempt::next_step step) {
  if (step == ai_attempt::next_step::call_model)
    call_model(self);
}

simulated_provider_actor::behavior_type simulated(simulated_self self, ai_attempt attempt) {
  auto& st = self->state;
  st.attempt.emplace(std::move(attempt));
  auto& a = *st.attempt;
  auto ignore_jq = [](jq_done_atom, std::uint64_t, const sandbox::jq_reply&) {};
  if (auto refused = a.ask_breaker(self)) {
    a.fail(self, std::move(*refused));
    return {[](token_atom) {}, ignore_jq};
  }
  if (a.job().model.rfind("fail", 0) == 0) {
    a.fail(self, runtime::node_failure{
                   .message = "simulated connection '" + a.connection().name + "', model "
                              + a.job().model + ": simulated failure (attempt "
                              + std::to_string(a.task().attempt) + ")",
                   .retryable = true});
    return {[](token_atom) {}, ignore_jq};
  }
  st.delay = std::chrono::milliseconds(token_delay_of(a.connection().base_url));
  next(self, a.start(self));
  return {[self](token_atom) { next_token(self); },
          [self](jq_done_atom, std::uint64_t tag, const sandbox::jq_reply& reply) {
            next(self, self->state.attempt->tool_done(self, tag, reply));
          }};
}

} // namespace

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

simulated_provider_actor spawn_simulated_provider(caf::local_actor* spawner,
                                                  ai_attempt attempt) {
  return spawner->spawn<caf::monitored>(simulated, std::move(attempt));
}

} // namespace baley::actors
