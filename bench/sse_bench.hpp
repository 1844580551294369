// `baley bench sse`: SSE delivery latency with many concurrent streams. It
// runs the real server in this process on loopback, opens the streams as
// plain TCP clients, and measures for each live event the time from its
// commit (when the broker got it from the log writer) to its arrival at
// every client that follows it: one steady clock for both ends.
#pragma once

#include "storage/event_log.hpp"

#include <string>

namespace baley::bench {

struct sse_bench_options {
  int streams = 1000;       // SSE clients
  int executions = 100;     // executions they follow (streams / executions each)
  int spread_ms = 1000;     // their starts spread over this long (0: a burst)
  storage::durability mode = storage::durability::fsync;
  std::string dir;          // parent of the temporary data dir; "" = $TMPDIR
};

// One JSON line: {"streams","executions","events_measured","p50_ms","p99_ms",
// "max_ms","clients_done",...} or {"error":{"code","message"}}.
std::string run_sse_bench(const sse_bench_options& options);

} // namespace baley::bench
