// The yardstick for `baley bench append`: raw RocksDB puts with no event log
// on top, same disk, options, value size and durability.
#pragma once
//
// N threads each Write() a WriteBatch holding one put, in a closed loop, into
// a fresh DB; RocksDB's own write-group batching is all the batching there is.

#include "runtime/result.hpp"
#include "storage/event_log.hpp"

#include <cstdint>
#include <string>

namespace baley::storage {

struct raw_baseline_options {
  std::string dir;  // a fresh directory (created)
  int writers = 64;
  std::uint64_t events = 200000;  // total, over all writers
  std::size_t value_bytes = 200;
  durability mode = durability::fsync;
};

struct raw_baseline_figures {
  double events_per_s = 0;  // puts per second
  std::uint64_t stored = 0;  // keys in the family afterwards, counted
};

result<raw_baseline_figures> run_raw_baseline(const raw_baseline_options& options);

} // namespace baley::storage
