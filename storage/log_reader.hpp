// Reads of the event log: a stream from an index, the global order from a
// position, projections. Thread-safe; each read sees whole committed batches.
#pragma once

#include "storage/event_log.hpp"

namespace baley::storage {

class db_handle;

result<std::vector<committed_event>>
read_stream(const db_handle& db, std::string_view stream, stream_index from,
            std::size_t limit);

result<std::vector<committed_event>>
read_global(const db_handle& db, global_position from, std::size_t limit);

// The position the next event gets: last `global` key + 1, or 0.
result<global_position> next_global_position(const db_handle& db);

result<std::optional<std::string>>
get_projection(const db_handle& db, std::string_view family, std::string_view key);

status scan_projection(
  const db_handle& db, std::string_view family, std::string_view prefix,
  const std::function<void(std::string_view, std::string_view)>& fn);

// event_log::scan_projection_range, clear_projections,
// scan_projection_page and scan_streams (event_log.hpp).
status scan_projection_range(
  const db_handle& db, std::string_view family, std::string_view begin, std::string_view end,
  const std::function<bool(std::string_view, std::string_view)>& fn);
status clear_projections(const db_handle& db);

result<std::optional<std::string>> scan_projection_page(
  const db_handle& db, std::string_view family, std::string_view prefix,
  std::optional<std::string> after_key, bool newest_first, std::size_t limit,
  const std::function<bool(std::string_view, std::string_view)>& fn);

status scan_streams(const db_handle& db, std::string_view stream_prefix,
                    const std::function<void(const committed_event&)>& fn);

} // namespace baley::storage
