// Operations routes; see ops_routes.hpp.
#include "http/ops_routes.hpp"

#include "http/replies.hpp"
#include "http/ui_page.hpp"

#include <boost/json.hpp>

namespace baley::http {

void ops_routes::health(const api_call_ptr& call) {
  // An empty request goes through the writer: it answers only if the log
  // has not failed.
  async_.append_then(storage::append_request{}, [call](api_async::committed& r) {
    if (!r)
      return reply_error(call, 503, r.error().code, r.error().message);
    reply_json(call, 200, boost::json::object{{"status", "ok"}});
  });
}

void ops_routes::metrics_page(const api_call_ptr& call) {
  http_response r;
  r.content_type = "text/plain; version=0.0.4; charset=utf-8";
  r.body = counters_.render({.log = engine_.log().stats(),
                             .breakers = engine_.breakers().states(engine_.time()->now()),
                             .jq = engine_.jq().stats(),
                             .jq_workers = engine_.jq().worker_pids().size(),
                             .usage = engine_.usage().read()});
  reply(call, std::move(r));
}

void ops_routes::ui_page(const api_call_ptr& call) {
  reply(call, ui_response(call->request));
}

} // namespace baley::http
