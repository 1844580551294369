// The LLM connections node actors may use, by id, with their API keys in
// memory only (at rest they are sealed in the log). The server fills it from
// its catalog and keeps it current; the CLI has none.
#pragma once

#include "runtime/llm/provider_kind.hpp"

#include <map>
#include <mutex>
#include <optional>
#include <string>

namespace baley::actors {

struct connection_info {
  std::string id;
  std::string workspace_id;
  std::string name;
  runtime::provider_kind kind = runtime::provider_kind::openai;
  std::string base_url;
  std::string api_key;  // never logged, never in an event or an error
};

// Thread-safe.
class connection_directory {
public:
  void put(connection_info info);
  void remove(const std::string& id);
  std::optional<connection_info> find(const std::string& id) const;
  bool contains(const std::string& id) const;

private:
  mutable std::mutex mutex_;
  std::map<std::string, connection_info> connections_;
};

} // namespace baley::actors
