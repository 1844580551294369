// `baley admin rebuild`: every projection dropped and written again from the
// global log, in its order, by the same functions that wrote it live
// (execution_puts, decision_puts, the insight projector), so that a sound
// log gives the same bytes back.
#pragma once

#include "storage/event_log.hpp"

#include <cstdint>
#include <map>
#include <string>

namespace baley::storage {

// One projection family's rows and a digest of them (FNV-1a over lengths,
// keys and values, in key order).
struct family_digest {
  std::uint64_t rows = 0;
  std::uint64_t digest = 0;
  bool operator==(const family_digest&) const = default;
};
using projection_digests = std::map<std::string, family_digest>;

result<projection_digests> digest_projections(const event_log& log);

struct rebuild_report {
  std::uint64_t events = 0;  // events read from `global`
  std::uint64_t puts = 0;    // projection puts written (before derived ones)
  double seconds = 0;        // reading and writing, digests left out
};

// Clears every projection family of `log` (opened by the caller, with the
// insight projector set and no server on it) and writes them again.
result<rebuild_report> rebuild_projections(event_log& log);

} // namespace baley::storage
