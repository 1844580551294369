// One SSE client of one execution stream: an actor that subscribes to the
// broker first, then replays the log from the client's position, then
// forwards live events, dropping what it already sent, so that every event
// with index >= `from` reaches the client exactly once, in order, with no gap.
// After the terminal event: "data: [DONE]" and close.
#pragma once

#include "actors/engine.hpp"
#include "http/exchange.hpp"
#include "http/type_ids.hpp"
#include "http/metrics.hpp"

#include <caf/actor.hpp>

namespace baley::http {

struct sse_feed_setup {
  std::string stream;  // exec/<id>
  stream_index from{};
  exchange_ptr exchange;
  actors::engine* engine = nullptr;
  metrics* counters = nullptr;
};

// A subscriber of the broker, told when its client goes away and when the
// client has taken most of what was sent (to replay the next chunk).
using sse_feed_actor =
  actors::event_subscriber::extend<caf::reacts_to<closed_atom>, caf::reacts_to<drained_atom>>;

sse_feed_actor spawn_sse_feed(caf::actor_system& system, sse_feed_setup setup);

} // namespace baley::http
