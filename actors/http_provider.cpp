// The HTTP provider actor; see http_provider.hpp.
#include "actors/http_provider.hpp"

#include "runtime/llm/llm_request.hpp"

#include <caf/all.hpp>

namespace baley::actors {
namespace {

using namespace runtime;

constexpr std::size_t max_error_body = 64 * 1024;

struct http_state {
  std::optional<ai_attempt> attempt;
  std::unique_ptr<llm_stream_decoder> decoder;
  long status = 0;
  std::string error_body;
  bool ended = false;
  std::optional<node_failure> failed;
  std::shared_ptr<delivery> via;
  // The transfer of the model call under way (0: none), aborted at exit.
  std::shared_ptr<std::uint64_t> transfer = std::make_shared<std::uint64_t>(0);
};

using http_self = http_provider_actor::stateful_pointer<http_state>;

transfer_request request_of(const ai_attempt& a) {
  const auto& settings = a.settings();
  const auto& connection = a.connection();
  auto wire = wire_of(connection.kind);
  auto request = a.next_request();
  transfer_request transfer{.url = llm_endpoint(wire, connection.base_url),
                            .headers = {"Content-Type: application/json",
                                        "Accept: text/event-stream"},
                            .body = llm_request_body(wire, request)};
  if (wire == llm_wire::anthropic) {
    transfer.headers.push_back("anthropic-version: 2023-06-01");
    if (!connection.api_key.empty())
      transfer.headers.push_back("x-api-key: " + connection.api_key);
  } else if (!connection.api_key.empty()) {
    transfer.headers.push_back("Authorization: Bearer " + connection.api_key);
  }
  transfer.total_timeout = std::chrono::milliseconds(settings.timeout_ms);
  transfer.idle_timeout = std::min(transfer.idle_timeout, transfer.total_timeout);
  return transfer;
}

// One model call: a fresh decoder and transfer.
void call_model(http_self self) {
  auto& st = self->state;
  auto& a = *st.attempt;
  st.decoder = make_stream_decoder(wire_of(a.connection().kind));
  st.status = 0;
  st.error_body.clear();
  st.ended = false;
  st.failed.reset();
  caf::actor me = caf::actor_cast<caf::actor>(self);
  auto via = st.via;
  *st.transfer = a.job().transport->start(
    request_of(a),
    transfer_events{
      [me, via](long status) { via->send(me, http_status_atom_v, status); },
      [me, via](std::string bytes) { via->send(me, http_data_atom_v, std::move(bytes)); },
      [me, via](transfer_result r) { via->send(me, http_done_atom_v, std::move(r)); }});
}

void next(http_self self, ai_attempt::next_step step) {
  if (step == ai_attempt::next_step::call_model)
    call_model(self);
}

void take_updates(http_self self, std::vector<llm_update> updates) {
  auto& st = self->state;
  auto& a = *st.attempt;
  for (auto& u : updates) {
    if (auto* text = std::get_if<text_delta>(&u))
      a.add_text(self, text->content);
    else if (auto* call = std::get_if<tool_call>(&u))
      a.add_tool_call(self, *call);
    else if (auto* usage = std::get_if<token_usage>(&u))
      a.set_usage(*usage);  // a running total: the latest replaces the earlier
    else if (std::holds_alternative<stream_end>(u))
      st.ended = true;
    else if (auto* failure = std::get_if<stream_failure>(&u))
      st.failed = stream_error(a.call(), *failure);
  }
}

void on_data(http_self self, std::string bytes) {
  auto& st = self->state;
  if (st.status < 200 || st.status >= 300) {
    if (st.error_body.size() < max_error_body)
      st.error_body += bytes.substr(0, max_error_body - st.error_body.size());
    return;
  }
  take_updates(self, st.decoder->feed(bytes));
}

void on_done(http_self self, const transfer_result& r) {
  auto& st = self->state;
  auto& a = *st.attempt;
  if (r.aborted)
    return self->quit();
  if (r.status >= 300 || (r.status > 0 && r.status < 200))
    return a.fail(self, http_failure(a.call(), static_cast<int>(r.status), st.error_body,
                                     r.retry_after, a.now()));
  if (r.failure)
    return a.fail(self, transport_failure(a.call(), *r.failure, r.detail));
  take_updates(self, st.decoder->finish());
  if (st.failed)
    return a.fail(self, *st.failed);
  if (!st.ended)
    return a.fail(self, transport_failure(a.call(), transport_error::stream_cut));
  *st.transfer = 0;
  next(self, a.round_ended(self));
}

http_provider_actor::behavior_type http_provider(http_self self, ai_attempt attempt,
                                                 std::shared_ptr<delivery> via) {
  auto& st = self->state;
  st.attempt.emplace(std::move(attempt));
  st.via = std::move(via);
  auto& a = *st.attempt;
  if (auto refused = a.ask_breaker(self)) {
    a.fail(self, std::move(*refused));
  } else {
    self->attach_functor([transport = a.job().transport, transfer = st.transfer] {
      if (*transfer)
        transport->abort(*transfer);
    });
    next(self, a.start(self));
  }
  return {
    [self](http_status_atom, long status) { self->state.status = status; },
    [self](http_data_atom, std::string& bytes) { on_data(self, std::move(bytes)); },
    [self](http_done_atom, const transfer_result& r) { on_done(self, r); },
    [self](jq_done_atom, std::uint64_t tag, const sandbox::jq_reply& reply) {
      next(self, self->state.attempt->tool_done(self, tag, reply));
    },
  };
}

} // namespace

http_provider_actor spawn_http_provider(caf::local_actor* spawner, ai_attempt attempt,
                                        std::shared_ptr<delivery> via) {
  return spawner->spawn<caf::monitored>(http_provider, std::move(attempt), std::move(via));
}

} // namespace baley::actors
