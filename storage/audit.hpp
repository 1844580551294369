// `baley audit`: proves a log was not edited by re-walking every stream's
// indexes and hash chain, and (for the whole log) the `global` order.
#pragma once

#include "storage/event_log.hpp"

namespace baley::storage {

class db_handle;

// One stream, or every stream when `stream` is empty. Reads a snapshot, so
// it may run while appends continue. The first problem found ends the walk.
result<audit_report> audit_log(const db_handle& db, std::optional<std::string_view> stream);

} // namespace baley::storage
