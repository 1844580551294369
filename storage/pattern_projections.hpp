// The projections of the pattern events: a new version of a pattern starts
// its stats at zero, a deleted one loses them, and every match the matcher
// records is a pattern_matches row (the insight projector counts it into the
// stats). The API, the matcher and `baley admin rebuild` write these alike.
#pragma once

#include "runtime/catalog/config_events.hpp"
#include "runtime/insight/pattern_events.hpp"
#include "storage/event_log.hpp"

#include <vector>

namespace baley::storage {

// pattern_saved and pattern_deleted; nothing for other config events.
void pattern_config_puts(const runtime::config_event_payload& event,
                         std::vector<projection_put>& out);

// The match rows of an event, the queue rows it takes, and for the last
// chunk of a scan its marker (storage/projections.hpp, pattern_scan_done).
void pattern_match_puts(const runtime::pattern_match_event& event,
                        std::vector<projection_put>& out);

} // namespace baley::storage
