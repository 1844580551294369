// The connection directory; see connection_directory.hpp.
#include "actors/connection_directory.hpp"

namespace baley::actors {

void connection_directory::put(connection_info info) {
  std::lock_guard lock(mutex_);
  auto id = info.id;
  connections_[id] = std::move(info);
}

void connection_directory::remove(const std::string& id) {
  std::lock_guard lock(mutex_);
  connections_.erase(id);
}

std::optional<connection_info> connection_directory::find(const std::string& id) const {
  std::lock_guard lock(mutex_);
  auto it = connections_.find(id);
  if (it == connections_.end())
    return std::nullopt;
  return it->second;
}

bool connection_directory::contains(const std::string& id) const {
  std::lock_guard lock(mutex_);
  return connections_.count(id) > 0;
}

} // namespace baley::actors
