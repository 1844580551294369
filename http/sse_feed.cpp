// The SSE feed actor; see sse_feed.hpp. Frames point into the stored record
// bytes (shared, never re-encoded); only the "id: N\ndata: " head is per event.
#include "http/sse_feed.hpp"

#include "runtime/execution/execution_state.hpp"

#include <caf/all.hpp>


namespace baley::http {
using std::to_string;  // and named_type's, found by ADL
namespace {

// The log is replayed this many events at a time, the next chunk once the
// client has taken most of the last: a long execution never piles up in
// memory or gets its client cut off for not keeping up.
constexpr std::size_t catch_up_chunk = 512;
// ...and at most about this many bytes, so that 512 large events do not
// queue tens of megabytes for one client at once.
constexpr std::size_t catch_up_bytes = 1 << 20;

struct feed_state {
  sse_feed_setup setup;
  stream_index next{};  // the next index the client needs
  bool subscribed = false;
  bool catching_up = false;  // live events wait: the log will give them
  bool done = false;
};

using feed_actor = sse_feed_actor::stateful_pointer<feed_state>;

// Whether a stored record holds its execution's terminal event.
bool is_terminal(std::string_view record) {
  return runtime::terminal_status_of(storage::event_bytes(record)).has_value();
}

sse_frame frame_of(const actors::shared_event& e) {
  return sse_frame{"id: " + to_string(e->index) + "\ndata: ", e->record, e};
}

void finish(feed_actor self) {
  auto& st = self->state;
  if (st.done)
    return;
  st.done = true;
  st.setup.exchange->finish_event_stream();
  if (st.subscribed)
    caf::anon_send(st.setup.engine->broker(), actors::unsubscribe_atom_v, st.setup.stream,
                   actors::event_subscriber(self));
  self->quit();
}

// Sends events in index order from `next`; a terminal one finishes the feed.
void deliver(feed_actor self, const std::vector<actors::shared_event>& events) {
  auto& st = self->state;
  std::vector<sse_frame> frames;
  bool terminal = false;
  for (const auto& e : events) {
    if (e->index != st.next)
      continue;
    frames.push_back(frame_of(e));
    ++st.next;
    if (is_terminal(e->record)) {
      terminal = true;
      break;
    }
  }
  if (!frames.empty() && !st.setup.exchange->push(std::move(frames))) {
    st.done = true;  // cut off or gone: on_closed quits us
    return;
  }
  if (terminal)
    finish(self);
}

// Reads a chunk from `next` in the log and delivers it; when the chunk was
// full, the next one follows once the client has drained it.
void catch_up(feed_actor self) {
  auto& st = self->state;
  auto events = st.setup.engine->log().read_stream(st.setup.stream, st.next, catch_up_chunk);
  if (!events) {
    finish(self);
    return;
  }
  std::vector<actors::shared_event> shared;
  shared.reserve(events->size());
  std::size_t bytes = 0;
  bool full = events->size() == catch_up_chunk;
  for (auto& e : *events) {
    if (!shared.empty() && bytes >= catch_up_bytes) {
      full = true;  // the rest is read again with the next chunk
      break;
    }
    bytes += e.record.size();
    shared.push_back(std::make_shared<const storage::committed_event>(std::move(e)));
  }
  deliver(self, shared);
  st.catching_up = !st.done && full;
  if (st.catching_up) {
    st.setup.exchange->notify_when_drained();
    return;
  }
  if (st.done || st.next == stream_index{0})
    return;
  // Already past the end of a finished execution (a reconnect after the
  // terminal event): close the same way.
  if (shared.empty()) {
    auto last = st.setup.engine->log().read_stream(st.setup.stream, st.next - 1, 1);
    if (last && !last->empty() && is_terminal(last->front().record))
      finish(self);
  }
}

sse_feed_actor::behavior_type sse_feed(feed_actor self, sse_feed_setup setup) {
  auto& st = self->state;
  st.setup = std::move(setup);
  st.next = st.setup.from;
  st.setup.counters->sse_opened();
  self->attach_functor([counters = st.setup.counters] { counters->sse_closed(); });
  st.setup.exchange->open_event_stream(
    [me = sse_feed_actor(self)] { caf::anon_send(me, closed_atom_v); },
    [me = sse_feed_actor(self)] { caf::anon_send(me, drained_atom_v); });
  self->request(st.setup.engine->broker(), std::chrono::seconds(10), actors::subscribe_atom_v,
                st.setup.stream, actors::event_subscriber(self))
    .then(
      [self](caf::ok_atom) {
        self->state.subscribed = true;
        catch_up(self);
      },
      [self](caf::error&) { finish(self); });
  return {
    [self](actors::event_atom, const actors::shared_event& e) {
      auto& st = self->state;
      if (st.done || st.catching_up || e->index < st.next)
        return;  // sent already from the log, or it will be
      if (e->index > st.next) {
        catch_up(self);  // never expected: the log has everything in order
        return;
      }
      deliver(self, {e});
    },
    [self](drained_atom) {
      if (!self->state.done)
        catch_up(self);
    },
    [self](closed_atom) {
      auto& st = self->state;
      if (st.subscribed)
        caf::anon_send(st.setup.engine->broker(), actors::unsubscribe_atom_v, st.setup.stream,
                       actors::event_subscriber(self));
      self->quit();
    },
  };
}

} // namespace

sse_feed_actor spawn_sse_feed(caf::actor_system& system, sse_feed_setup setup) {
  return system.spawn(sse_feed, std::move(setup));
}

} // namespace baley::http
