// The live connections of a server, so that shutdown can reach each one.
#pragma once

#include <memory>
#include <mutex>
#include <unordered_map>

namespace baley::http {

class connection;

class connection_registry {
public:
  void add(const std::shared_ptr<connection>& c);
  void remove(const connection* c);
  // Asks every live connection to shut down; returns how many there were.
  std::size_t shut_down_all();
  std::size_t size() const;

private:
  mutable std::mutex mutex_;
  std::unordered_map<const connection*, std::weak_ptr<connection>> live_;
};

} // namespace baley::http
