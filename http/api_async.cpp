// Continuations of the API actor; see api_async.hpp.
#include "http/api_async.hpp"

#include <caf/all.hpp>

namespace baley::http {

caf::actor api_async::me() const {
  return caf::actor_cast<caf::actor>(self_);
}

std::uint64_t api_async::park(std::function<void()> continuation) {
  auto token = next_token_++;
  parked_.emplace(token, std::move(continuation));
  return token;
}

void api_async::append_then(storage::append_request request,
                            std::function<void(committed&)> then) {
  auto slot = std::make_shared<std::optional<committed>>();
  auto token = park([slot, then = std::move(then)] { then(**slot); });
  log_.append_async(std::move(request), [slot, me = me(), token](committed r) {
    *slot = std::move(r);  // published to the actor by the message below
    caf::anon_send(me, resume_atom_v, token);
  });
}

std::function<void()> api_async::resumer(std::function<void()> then) {
  return [me = me(), token = park(std::move(then))] { caf::anon_send(me, resume_atom_v, token); };
}

void api_async::after(std::chrono::milliseconds delay, std::function<void()> then) {
  auto token = park(std::move(then));
  caf::delayed_anon_send(me(), delay, resume_atom_v, token);
}

void api_async::resume(std::uint64_t token) {
  auto it = parked_.find(token);
  if (it == parked_.end())
    return;
  auto continuation = std::move(it->second);
  parked_.erase(it);
  continuation();
}

} // namespace baley::http
