// Idempotency keys; see idempotency_index.hpp.
#include "http/idempotency_index.hpp"

#include "runtime/numbers.hpp"
#include "storage/projections.hpp"

#include <boost/json.hpp>

#include <limits>

namespace baley::http {
namespace json = boost::json;

result<idempotency_index> idempotency_index::load(const storage::event_log& log, unix_ms now) {
  idempotency_index index;
  auto scanned = log.scan_projection(
    storage::families::idempotency, "", [&](std::string_view key, std::string_view value) {
      boost::system::error_code ec;
      auto stored = json::parse(value, ec);
      const auto* o = ec ? nullptr : stored.if_object();
      const auto* id = o ? o->if_contains("executionId") : nullptr;
      const auto* at = o ? o->if_contains("at") : nullptr;
      if (!id || !id->is_string() || !at)
        return;
      auto when = runtime::json_integer(*at, 0, std::numeric_limits<unix_ms>::max())
                    .value_or(std::numeric_limits<unix_ms>::min());
      if (when >= 0 && now - when <= window_ms)
        index.entries_.emplace(std::string(key), entry{std::string(id->get_string()), when});
    });
  if (!scanned)
    return scanned.error();
  return index;
}

std::optional<std::string> idempotency_index::find(const std::string& workspace_id,
                                                   const std::string& key, unix_ms now) const {
  auto it = entries_.find(storage::projections::idempotency_key(workspace_id, key));
  if (it == entries_.end() || now - it->second.at > window_ms)
    return std::nullopt;
  return it->second.execution_id;
}

void idempotency_index::record(const std::string& workspace_id, const std::string& key,
                               const std::string& execution_id, unix_ms now) {
  sweep(now);
  entries_[storage::projections::idempotency_key(workspace_id, key)] = {execution_id, now};
}

// Every 1,024 keys past 4,096, the expired ones go: memory stays bounded by
// the keys of one window, at a cost spread over the inserts.
void idempotency_index::sweep(unix_ms now) {
  if (entries_.size() < 4096 || entries_.size() % 1024 != 0)
    return;
  std::erase_if(entries_, [now](const auto& e) { return now - e.second.at > window_ms; });
}

} // namespace baley::http
