// An execution's log from outside (API.md, "Executions", "SSE stream"): its
// events as the stored records (replay), its hash chain (audit), and the
// event stream that replays then follows live (one SSE feed actor per client).
#pragma once

#include "actors/engine.hpp"
#include "http/api_async.hpp"
#include "http/auth.hpp"
#include "http/metrics.hpp"

namespace baley::http {

class execution_log_routes {
public:
  struct parts {
    actors::engine& engine;
    api_async& async;
    metrics& counters;
    caf::actor_system& system;
  };
  explicit execution_log_routes(parts p) : p_(p) {}

  void replay(const api_call_ptr& call, const authenticated& who);
  void audit(const api_call_ptr& call, const authenticated& who);
  void stream(const api_call_ptr& call, const authenticated& who);

private:
  parts p_;
};

} // namespace baley::http
