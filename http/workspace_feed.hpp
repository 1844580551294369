// The workspace stream (API.md, "Workspace stream"): one relay actor follows
// every committed event once and makes each execution change once; one feed
// actor per client receives its workspace's changes. A client that gives
// Last-Event-ID (a global position) first gets the changes after it read
// from the log, then the live ones, each once, in order, with no gap.
#pragma once

#include "actors/engine.hpp"
#include "http/exchange.hpp"
#include "http/metrics.hpp"
#include "http/type_ids.hpp"

#include <caf/typed_actor.hpp>

#include <optional>

namespace baley::http {

using workspace_feed_actor =
  caf::typed_actor<caf::reacts_to<change_atom, execution_change_ptr>, caf::reacts_to<closed_atom>,
                   caf::reacts_to<drained_atom>>;

// Subscribed to the broker's every stream; feeds subscribe by workspace.
using change_relay_actor = actors::event_subscriber::extend<
  caf::replies_to<actors::subscribe_atom, std::string, workspace_feed_actor>::with<caf::ok_atom>,
  caf::reacts_to<actors::unsubscribe_atom, std::string, workspace_feed_actor>>;

change_relay_actor spawn_change_relay(caf::actor_system& system, actors::engine& engine);

struct workspace_feed_setup {
  std::string workspace_id;
  bool test_runs = false;                   // ?kind=test: test runs only, else none
  std::optional<global_position> after;     // Last-Event-ID; none: live only
  exchange_ptr exchange;
  change_relay_actor relay;
  actors::engine* engine = nullptr;
  metrics* counters = nullptr;
};

workspace_feed_actor spawn_workspace_feed(caf::actor_system& system, workspace_feed_setup setup);

} // namespace baley::http
