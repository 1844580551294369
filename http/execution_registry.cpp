// Live executions and their waiters; see execution_registry.hpp.
#include "http/execution_registry.hpp"

#include <algorithm>

namespace baley::http {

void execution_registry::add(const std::string& id, actors::execution_actor actor,
                             std::string workspace_id) {
  live_[id] = live_execution{std::move(actor), std::move(workspace_id)};
}

const execution_registry::live_execution* execution_registry::find(const std::string& id) const {
  auto it = live_.find(id);
  return it == live_.end() ? nullptr : &it->second;
}

void execution_registry::on_started(const std::string& id, start_continuation then) {
  starting_[id] = std::move(then);
}

std::optional<execution_registry::start_continuation>
execution_registry::take_start(const std::string& id) {
  auto it = starting_.find(id);
  if (it == starting_.end())
    return std::nullopt;
  auto then = std::move(it->second);
  starting_.erase(it);
  return then;
}

void execution_registry::wait(const std::string& id, api_call_ptr call) {
  waiting_[id].push_back(std::move(call));
}

bool execution_registry::drop_wait(const std::string& id, const api_call_ptr& call) {
  auto it = waiting_.find(id);
  if (it == waiting_.end())
    return false;
  auto& calls = it->second;
  auto at = std::find(calls.begin(), calls.end(), call);
  if (at == calls.end())
    return false;
  calls.erase(at);
  if (calls.empty())
    waiting_.erase(it);
  return true;
}

void execution_registry::cancelling(const std::string& id, api_call_ptr call) {
  cancelling_[id].push_back(std::move(call));
}

execution_registry::ended execution_registry::finish(const std::string& id) {
  ended out;
  live_.erase(id);
  if (auto it = waiting_.find(id); it != waiting_.end()) {
    out.waiting = std::move(it->second);
    waiting_.erase(it);
  }
  if (auto it = cancelling_.find(id); it != cancelling_.end()) {
    out.cancelling = std::move(it->second);
    cancelling_.erase(it);
  }
  out.starting = take_start(id);
  return out;
}

std::vector<actors::execution_actor> execution_registry::take_all() {
  std::vector<actors::execution_actor> actors;
  for (auto& [id, live] : live_)
    actors.push_back(live.actor);
  live_.clear();
  return actors;
}

} // namespace baley::http
