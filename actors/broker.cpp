// Subscriptions by stream; see broker.hpp.
#include "actors/broker.hpp"

#include <caf/all.hpp>

#include <algorithm>
#include <unordered_map>

namespace baley::actors {
namespace {

struct broker_state {
  std::unordered_map<std::string, std::vector<event_subscriber>> subscribers;
};

using broker_self = broker_actor::stateful_pointer<broker_state>;

void remove_subscriber(broker_state& state, const caf::actor_addr& who,
                       const std::string* only_stream) {
  for (auto it = state.subscribers.begin(); it != state.subscribers.end();) {
    if (only_stream && it->first != *only_stream) {
      ++it;
      continue;
    }
    auto& list = it->second;
    std::erase_if(list, [&](const event_subscriber& a) { return a.address() == who; });
    it = list.empty() ? state.subscribers.erase(it) : std::next(it);
  }
}

void deliver(broker_self self, const committed_batch& batch) {
  auto& subscribers = self->state.subscribers;
  auto all = subscribers.find(std::string(all_streams));
  for (const auto& event : *batch) {
    if (auto subs = subscribers.find(event->stream); subs != subscribers.end())
      for (const auto& s : subs->second)
        self->send(s, event_atom_v, event);
    if (all != subscribers.end())
      for (const auto& s : all->second)
        self->send(s, event_atom_v, event);
  }
}

broker_actor::behavior_type broker(broker_self self) {
  self->set_down_handler([self](caf::down_msg& msg) {
    remove_subscriber(self->state, msg.source, nullptr);
  });
  return {
    [self](subscribe_atom, const std::string& stream, const event_subscriber& who) {
      auto& list = self->state.subscribers[stream];
      if (std::find(list.begin(), list.end(), who) == list.end()) {
        self->monitor(who);
        list.push_back(who);
      }
      return caf::ok_atom_v;
    },
    [self](unsubscribe_atom, const std::string& stream, const event_subscriber& who) {
      remove_subscriber(self->state, who.address(), &stream);
    },
    [self](committed_atom, const committed_batch& batch) { deliver(self, batch); },
  };
}

} // namespace

broker_actor spawn_broker(caf::actor_system& system) {
  return system.spawn(broker);
}

void connect_log_to_broker(storage::event_log& log, broker_actor broker,
                           std::shared_ptr<delivery> via) {
  log.set_commit_listener(
    [broker, via = std::move(via)](const std::vector<storage::committed_event>& events) {
      auto batch = std::make_shared<std::vector<shared_event>>();
      batch->reserve(events.size());
      for (const auto& e : events)
        batch->push_back(std::make_shared<const storage::committed_event>(e));
      via->send(broker, committed_atom_v, committed_batch(std::move(batch)));
    });
}

} // namespace baley::actors
