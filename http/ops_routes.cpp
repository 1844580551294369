// Operations: /healthz (the log is writable), /metrics (Prometheus text) and
// the web page at / (a placeholder until the UI lands).
#include "http/api_state.hpp"

#include <boost/json.hpp>

namespace baley::http {

void health(api_actor self, const api_call_ptr& call) {
  // An empty request goes through the writer: it answers only if the log
  // has not failed.
  append_then(self, storage::append_request{}, [call](api_actor, auto committed) {
    if (!committed)
      return reply_error(call, 503, committed.error().code, committed.error().message);
    reply_json(call, 200, boost::json::object{{"status", "ok"}});
  });
}

void metrics_page(api_actor self, const api_call_ptr& call) {
  auto& engine = *self->state.engine;
  http_response r;
  r.content_type = "text/plain; version=0.0.4; charset=utf-8";
  r.body = self->state.counters->render({.log = engine.log(),
                                         .breakers = engine.breakers().states(actors::now_ms()),
                                         .jq = engine.jq().stats(),
                                         .jq_workers = engine.jq().worker_pids().size()});
  reply(call, std::move(r));
}

void ui_page(api_actor, const api_call_ptr& call) {
  http_response r;
  r.content_type = "text/html; charset=utf-8";
  r.body = "<!doctype html><html><head><meta charset=\"utf-8\"><title>Baley Runtime</title>"
           "</head><body><h1>Baley Runtime</h1><p>The API is at <code>/api</code>; "
           "see API.md. The live execution page arrives with the UI milestone.</p>"
           "</body></html>";
  reply(call, std::move(r));
}

} // namespace baley::http
