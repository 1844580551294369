// Idempotency-Key (API.md, "Executions"): the same key within 24 h in one
// workspace names the same execution and starts nothing new. Kept in memory,
// written as a projection with the execution_start it names (so it survives
// a restart), loaded at start; entries older than the window are swept.
#pragma once

#include "storage/event_log.hpp"

#include <map>
#include <optional>
#include <string>

namespace baley::http {

class idempotency_index {
public:
  static constexpr unix_ms window_ms = 24 * 3600 * 1000;
  static constexpr std::size_t max_key_bytes = 255;

  // The entries of the last 24 h before `now`.
  static result<idempotency_index> load(const storage::event_log& log, unix_ms now);

  // The execution `key` names in `workspace_id`, if used within the window.
  std::optional<std::string> find(const std::string& workspace_id, const std::string& key,
                                  unix_ms now) const;

  // Remembers `key` for `execution_id`. Its projection is written with the
  // execution_start that records the key (storage/execution_projections).
  void record(const std::string& workspace_id, const std::string& key,
              const std::string& execution_id, unix_ms now);

  std::size_t size() const { return entries_.size(); }

private:
  struct entry {
    std::string execution_id;
    unix_ms at = 0;
  };
  void sweep(unix_ms now);

  std::map<std::string, entry> entries_;  // projections::idempotency_key(ws, key)
};

} // namespace baley::http
