// How work finished on another thread reaches an actor: a committed append
// (the log writer), a jq reply (the sandbox's dispatcher), bytes of a
// provider's reply (the HTTP transport) become a message to the actor that
// waits for it. The engine's default sends at once: CAF's scheduler takes
// messages from any thread. The actor tests' deterministic scheduler may be
// touched by its own thread only, so they hold these messages and hand them
// over themselves (tests/actors/deterministic.hpp).
#pragma once

#include <caf/actor.hpp>
#include <caf/actor_cast.hpp>
#include <caf/message.hpp>
#include <caf/send.hpp>

#include <memory>
#include <utility>

namespace baley::actors {

class delivery {
public:
  virtual ~delivery() = default;

  // Thread-safe; `to` may be gone by then (the message is dropped).
  virtual void post(caf::actor to, caf::message message) = 0;

  template <class Handle, class... Ts>
  void send(const Handle& to, Ts&&... xs) {
    post(caf::actor_cast<caf::actor>(to), caf::make_message(std::forward<Ts>(xs)...));
  }
};

// Sends at once.
class direct_delivery final : public delivery {
public:
  void post(caf::actor to, caf::message message) override {
    if (to)
      caf::anon_send(to, std::move(message));
  }
};

} // namespace baley::actors
