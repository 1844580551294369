// `baley bench analytics`: the analytics routes and patterns over a data dir
// that holds a million decisions, and the rebuild of its projections.
#pragma once
//
// It runs the real server in this process on loopback. It creates the
// blocks and flows over HTTP, then writes the executions of `decisions`
// ai-block completions straight through the event log, with the projections
// the execution actor writes (storage::execution_puts, the insight projector
// on the writer thread): spread over the last 30 days, across `blocks`
// blocks, four models and the flows, with feedback on one in ten and a
// failed execution per fifty. The pattern matcher is told of each as it
// commits, as it is live. Then it measures, one request at a time:
// - p50/p99 of each analytics route (block by hour and by day, cost by
//   block, model and flow, failures), `requests` times each;
// - POST /api/patterns over the first block's decisions (decisions/blocks);
// and, with the server stopped, `admin rebuild` in events/s, with whether
// every projection came back identical.
//
// One JSON line of whole numbers: {"decisions","failures","events","loadMs",
// "routes":{name:{"p50_us","p99_us"}},"pattern":{"decisions","matched","ms"},
// "rebuild":{"events","ms","eventsPerSecond","identical"}}, or
// {"error":{"code","message"}}.

#include "storage/event_log.hpp"

#include <string>

namespace baley::bench {

struct analytics_bench_options {
  int decisions = 1'000'000;
  int blocks = 10;
  int requests = 200;       // per route
  std::string dir;          // parent of the data dir; "" = $TMPDIR
  bool keep = false;        // leave the data dir behind (its path is printed)
};

std::string run_analytics_bench(const analytics_bench_options& options);

} // namespace baley::bench
