// `baley bench append`: closed-loop appenders against the event log, compared
// with raw RocksDB puts of the same size and durability on the same disk.
#pragma once
//
// Returns one JSON line:
//   {"events_per_s","p50_ms","p99_ms","mean_batch","baseline_events_per_s",
//    "ratio","writers","events","value_bytes","durability"}
// or {"error":{"code","message"}} when the bench could not run.

#include "storage/event_log.hpp"

#include <string>

namespace baley::bench {

struct append_bench_options {
  int writers = 64;        // threads, each appending to its own stream
  int events = 200000;     // total over all writers
  int value_bytes = 200;   // size of each event JSON
  storage::durability mode = storage::durability::fsync;
  std::string dir;         // parent of the temporary data dirs; "" = $TMPDIR
};

std::string run_append_bench(const append_bench_options& options);

} // namespace baley::bench
