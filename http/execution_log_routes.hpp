// An execution's log from outside (API.md, "Executions", "SSE stream"): its
// events as the stored records (replay), its hash chain (audit), and the
// event stream that replays then follows live (one SSE feed actor per client),
// and the workspace stream of every execution's start and end.
#pragma once

#include "actors/engine.hpp"
#include "http/api_async.hpp"
#include "http/auth.hpp"
#include "http/metrics.hpp"
#include "http/workspace_feed.hpp"

namespace baley::http {

class execution_log_routes {
public:
  struct parts {
    actors::engine& engine;
    api_async& async;
    metrics& counters;
    caf::actor_system& system;
    change_relay_actor relay;
  };
  explicit execution_log_routes(parts p) : p_(p) {}

  void replay(const api_call_ptr& call, const authenticated& who);
  void audit(const api_call_ptr& call, const authenticated& who);
  void stream(const api_call_ptr& call, const authenticated& who);
  // GET /api/stream: the workspace's execution changes.
  void workspace_stream(const api_call_ptr& call, const authenticated& who);

private:
  parts p_;
};

} // namespace baley::http
