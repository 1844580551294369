// The set of live connections; see connection_registry.hpp.
#include "http/connection_registry.hpp"

#include "http/connection.hpp"

namespace baley::http {

void connection_registry::add(const std::shared_ptr<connection>& c) {
  std::lock_guard lock(mutex_);
  live_[c.get()] = c;
}

void connection_registry::remove(const connection* c) {
  std::lock_guard lock(mutex_);
  live_.erase(c);
}

std::size_t connection_registry::shut_down_all() {
  std::vector<std::shared_ptr<connection>> all;
  {
    std::lock_guard lock(mutex_);
    for (auto& [key, weak] : live_)
      if (auto c = weak.lock())
        all.push_back(std::move(c));
  }
  for (auto& c : all)
    c->shut_down();
  return all.size();
}

std::size_t connection_registry::size() const {
  std::lock_guard lock(mutex_);
  return live_.size();
}

} // namespace baley::http
