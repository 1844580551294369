// Test hooks that edit a closed log behind the event log's back, so tests can
// show that audit catches an edited or missing event. Never used by baley.
#pragma once

#include "runtime/result.hpp"
#include "runtime/types.hpp"

#include <string>
#include <string_view>

namespace baley::storage {

// Replaces the record of stream/index with `new_record` (keeping its global
// position). The log in `dir` must be closed.
status overwrite_record_for_test(const std::string& dir, std::string_view stream,
                                 stream_index index, std::string_view new_record);

// Deletes the event stream/index from the `log` family only.
status erase_record_for_test(const std::string& dir, std::string_view stream,
                             stream_index index);

} // namespace baley::storage
