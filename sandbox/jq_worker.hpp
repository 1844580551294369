// The jq worker process: reads requests from stdin, evaluates each program
// on its input and writes one reply per request to stdout, until stdin ends.
// It runs under the limits the server gives it: an address-space limit of its
// size after start-up plus the memory budget, and a CPU-time limit a little
// above each request's time budget (a backstop: the server kills a worker
// whose evaluation outlives its budget). It dies with the server.
#pragma once

#include <cstdint>
#include <sys/types.h>

namespace baley::sandbox {

struct worker_settings {
  std::uint64_t memory_mb = 256;  // budget above the size after start-up
  pid_t parent = 0;               // the server; 0: do not check
};

// The exit status of a worker that ran out of its memory budget inside libjq
// (after writing that request's "limit_exceeded" reply).
inline constexpr int exit_out_of_memory = 86;

// Runs the worker loop on fds 0 and 1; returns the process exit status.
int run_jq_worker(const worker_settings& settings);

} // namespace baley::sandbox
