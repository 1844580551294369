// Analytics (API.md, "Analytics"): accuracy, usage and latency per block, cost
// by block, model or flow, failures by signature. Each answer merges the hourly
// rows of the asked range, read on a reader thread; none reads the log.
#pragma once
//
// Rows are hourly, so `from` and `to` select whole hours: every hour that
// overlaps [from, to] counts. Buckets without decisions are left out.

#include "actors/engine.hpp"
#include "http/auth.hpp"
#include "http/catalog_store.hpp"

namespace baley::http {

class analytics_routes {
public:
  struct parts {
    catalog_store& catalog;
    actors::engine& engine;
    api_async& async;
  };
  explicit analytics_routes(parts p) : p_(p) {}

  void block(const api_call_ptr& call, const authenticated& who);
  void cost(const api_call_ptr& call, const authenticated& who);
  void failures(const api_call_ptr& call, const authenticated& who);

private:
  parts p_;
};

} // namespace baley::http
