// Work the API actor hands off and continues once done: blocking reads on the
// reader threads, appends to the log, timers. A continuation stays in the
// actor, parked under a token in this object; the other thread hands back
// only the token (resume_atom), so the actor's state changes on its own
// thread only and no closure travels in a message.
//
// Contract: every method is called on the API actor's thread; the work
// given to on_reader* runs on a reader thread and must not touch the actor's
// state; `then` runs on the actor's thread, once.
#pragma once

#include "http/reader_pool.hpp"
#include "http/type_ids.hpp"
#include "storage/event_log.hpp"

#include <caf/scheduled_actor.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <unordered_map>

namespace baley::http {

class api_async {
public:
  api_async(caf::scheduled_actor* self, reader_pool& readers, storage::event_log& log)
    : self_(self), readers_(readers), log_(log) {}

  // Work that answers by itself (it holds the exchange).
  void on_reader(std::function<void()> work) { readers_.run(std::move(work)); }

  // Work whose result the actor continues with.
  template <class Result>
  void on_reader_then(std::function<Result()> work, std::function<void(Result&)> then) {
    auto slot = std::make_shared<std::optional<Result>>();
    auto token = park([slot, then = std::move(then)] { then(**slot); });
    readers_.run([slot, work = std::move(work), me = me(), token] {
      *slot = work();  // published to the actor by the message below
      caf::anon_send(me, resume_atom_v, token);
    });
  }

  // Appends, then continues with the log's answer.
  using committed = result<std::vector<storage::committed_event>>;
  void append_then(storage::append_request request, std::function<void(committed&)> then);

  // A continuation another thread starts: the returned function, called
  // once from any thread, has `then` run on the actor.
  std::function<void()> resumer(std::function<void()> then);

  // Continues after `delay`.
  void after(std::chrono::milliseconds delay, std::function<void()> then);

  // The actor received (resume_atom, token).
  void resume(std::uint64_t token);

private:
  std::uint64_t park(std::function<void()> continuation);
  caf::actor me() const;

  caf::scheduled_actor* self_;
  reader_pool& readers_;
  storage::event_log& log_;
  std::uint64_t next_token_ = 1;
  std::unordered_map<std::uint64_t, std::function<void()>> parked_;
};

} // namespace baley::http
