// Subscriptions by stream; see broker.hpp. Subscribers that terminate are
// dropped through their down message.
#include "actors/broker.hpp"

#include <caf/all.hpp>

#include <algorithm>
#include <unordered_map>

namespace baley::actors {
namespace {

struct broker_state {
  std::unordered_map<std::string, std::vector<caf::actor>> subscribers;
};

void remove_subscriber(broker_state& state, const caf::actor_addr& who,
                       const std::string* only_stream) {
  for (auto it = state.subscribers.begin(); it != state.subscribers.end();) {
    if (only_stream && it->first != *only_stream) {
      ++it;
      continue;
    }
    auto& list = it->second;
    list.erase(std::remove_if(list.begin(), list.end(),
                              [&](const caf::actor& a) { return a.address() == who; }),
               list.end());
    it = list.empty() ? state.subscribers.erase(it) : std::next(it);
  }
}

void deliver(caf::stateful_actor<broker_state>* self, const committed_batch& batch) {
  auto all = self->state.subscribers.find(std::string(all_streams));
  for (const auto& event : *batch) {
    auto subs = self->state.subscribers.find(event->stream);
    if (subs != self->state.subscribers.end())
      for (const auto& s : subs->second)
        self->send(s, event_atom::value, event);
    if (all != self->state.subscribers.end())
      for (const auto& s : all->second)
        self->send(s, event_atom::value, event);
  }
}

caf::behavior broker(caf::stateful_actor<broker_state>* self) {
  self->set_down_handler([self](caf::down_msg& msg) {
    remove_subscriber(self->state, msg.source, nullptr);
  });
  return {
    [self](subscribe_atom, const std::string& stream, const caf::actor& who) {
      auto& list = self->state.subscribers[stream];
      if (std::find(list.begin(), list.end(), who) == list.end()) {
        self->monitor(who);
        list.push_back(who);
      }
      return caf::atom("ok");
    },
    [self](unsubscribe_atom, const std::string& stream, const caf::actor& who) {
      remove_subscriber(self->state, who.address(), &stream);
    },
    [self](committed_atom, const committed_batch& batch) { deliver(self, batch); },
  };
}

} // namespace

caf::actor spawn_broker(caf::actor_system& system) {
  return system.spawn(broker);
}

void connect_log_to_broker(storage::event_log& log, caf::actor broker) {
  log.set_commit_listener(
    [broker](const std::vector<storage::committed_event>& events) {
      auto batch = std::make_shared<std::vector<shared_event>>();
      batch->reserve(events.size());
      for (const auto& e : events)
        batch->push_back(std::make_shared<const storage::committed_event>(e));
      caf::anon_send(broker, committed_atom::value, committed_batch(std::move(batch)));
    });
}

} // namespace baley::actors
