// The change relay and the workspace feeds; see workspace_feed.hpp. A change
// is made once by the relay and its JSON is shared by every feed; only the
// "id: N\ndata: " head is per client.
#include "http/workspace_feed.hpp"

#include <caf/all.hpp>

#include <map>
#include <set>

namespace baley::http {
using std::to_string;  // and named_type's, found by ADL
namespace {

constexpr std::size_t catch_up_chunk = 1024;

// ---------------------------------------------------------------- relay

struct relay_state {
  actors::engine* engine = nullptr;
  std::map<std::string, std::set<workspace_feed_actor>> feeds;  // by workspace
};

using relay_pointer = change_relay_actor::stateful_pointer<relay_state>;

change_relay_actor::behavior_type change_relay(relay_pointer self, actors::engine* engine) {
  self->state.engine = engine;
  self->request(engine->broker(), std::chrono::seconds(10), actors::subscribe_atom_v,
                std::string(actors::all_streams), actors::event_subscriber(self))
    .then([](caf::ok_atom) {}, [self](caf::error&) { self->quit(); });
  return {
    [self](actors::event_atom, const actors::shared_event& e) {
      auto& st = self->state;
      if (st.feeds.empty())
        return;
      auto change = change_of(*e, st.engine->log());
      if (!change)
        return;
      auto it = st.feeds.find(change->workspace_id);
      if (it == st.feeds.end())
        return;
      auto shared = std::make_shared<const execution_change>(std::move(*change));
      for (const auto& feed : it->second)
        self->send(feed, change_atom_v, shared);
    },
    [self](actors::subscribe_atom, const std::string& workspace, workspace_feed_actor feed) {
      self->state.feeds[workspace].insert(std::move(feed));
      return caf::ok_atom_v;
    },
    [self](actors::unsubscribe_atom, const std::string& workspace,
           const workspace_feed_actor& feed) {
      auto& feeds = self->state.feeds;
      if (auto it = feeds.find(workspace); it != feeds.end()) {
        it->second.erase(feed);
        if (it->second.empty())
          feeds.erase(it);
      }
    },
  };
}

// ---------------------------------------------------------------- feed

struct feed_state {
  workspace_feed_setup setup;
  global_position next{0};  // the first position the client still needs
  bool subscribed = false;
  bool catching_up = false;  // live changes wait: the log will give them
  bool done = false;
};

using feed_pointer = workspace_feed_actor::stateful_pointer<feed_state>;

bool wanted(const feed_state& st, const execution_change& c) {
  return c.workspace_id == st.setup.workspace_id && c.test_run == st.setup.test_runs;
}

sse_frame frame_of(const execution_change_ptr& c) {
  return sse_frame{"id: " + to_string(c->position) + "\ndata: ", c->data, c};
}

void stop(feed_pointer self) {
  auto& st = self->state;
  if (st.subscribed)
    self->send(st.setup.relay, actors::unsubscribe_atom_v, st.setup.workspace_id,
               workspace_feed_actor(self));
  st.done = true;
  self->quit();
}

void push(feed_pointer self, std::vector<sse_frame> frames) {
  if (!frames.empty() && !self->state.setup.exchange->push(std::move(frames)))
    self->state.done = true;  // cut off or gone: closed_atom stops us
}

// The changes after the client's position that are in the log, a chunk at a
// time, the next once the client has drained the last; changes that arrive
// live meanwhile are dropped, the log gives them.
void catch_up(feed_pointer self) {
  auto& st = self->state;
  const auto& log = st.setup.engine->log();
  auto events = log.read_global(st.next, catch_up_chunk);
  if (!events) {
    stop(self);
    return;
  }
  std::vector<sse_frame> frames;
  for (const auto& e : *events) {
    if (auto change = change_of(e, log); change && wanted(st, *change))
      frames.push_back(frame_of(std::make_shared<const execution_change>(std::move(*change))));
    st.next = e.position + 1;
  }
  push(self, std::move(frames));
  st.catching_up = !st.done && events->size() == catch_up_chunk;
  if (st.catching_up)
    st.setup.exchange->notify_when_drained();
}

workspace_feed_actor::behavior_type workspace_feed(feed_pointer self, workspace_feed_setup setup) {
  auto& st = self->state;
  st.setup = std::move(setup);
  st.setup.counters->sse_opened();
  self->attach_functor([counters = st.setup.counters] { counters->sse_closed(); });
  st.setup.exchange->open_event_stream(
    [me = workspace_feed_actor(self)] { caf::anon_send(me, closed_atom_v); },
    [me = workspace_feed_actor(self)] { caf::anon_send(me, drained_atom_v); });
  self->request(st.setup.relay, std::chrono::seconds(10), actors::subscribe_atom_v,
                st.setup.workspace_id, workspace_feed_actor(self))
    .then(
      [self](caf::ok_atom) {
        auto& st = self->state;
        st.subscribed = true;
        if (st.setup.after) {
          st.next = *st.setup.after + 1;
          catch_up(self);
        }
      },
      [self](caf::error&) { stop(self); });
  return {
    [self](change_atom, const execution_change_ptr& c) {
      auto& st = self->state;
      if (st.done || st.catching_up || c->position < st.next || !wanted(st, *c))
        return;
      st.next = c->position + 1;
      push(self, {frame_of(c)});
    },
    [self](drained_atom) {
      if (!self->state.done)
        catch_up(self);
    },
    [self](closed_atom) { stop(self); },
  };
}

} // namespace

change_relay_actor spawn_change_relay(caf::actor_system& system, actors::engine& engine) {
  return system.spawn(change_relay, &engine);
}

workspace_feed_actor spawn_workspace_feed(caf::actor_system& system, workspace_feed_setup setup) {
  return system.spawn(workspace_feed, std::move(setup));
}

} // namespace baley::http
