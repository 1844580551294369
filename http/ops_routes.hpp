// Operations (API.md, "Operations"): /healthz (the log is writable),
// /metrics (Prometheus text) and the web page at / (a placeholder until the
// UI lands). No token needed.
#pragma once

#include "actors/engine.hpp"
#include "http/api_async.hpp"
#include "http/metrics.hpp"

namespace baley::http {

class ops_routes {
public:
  ops_routes(actors::engine& engine, api_async& async, metrics& counters)
    : engine_(engine), async_(async), counters_(counters) {}

  void health(const api_call_ptr& call);
  void metrics_page(const api_call_ptr& call);
  void ui_page(const api_call_ptr& call);

private:
  actors::engine& engine_;
  api_async& async_;
  metrics& counters_;
};

} // namespace baley::http
