// The jq sandbox: a small pool of worker processes that evaluate user jq
// under the server's limits, so that no program can take a thread, a core or
// the memory that everything else shares (DESIGN.md, "Limits on user code").
//
// Contract:
// - submit() and cancel() are thread-safe and never block on an evaluation.
// - One thread (the dispatcher) owns the workers: it hands each queued job
//   to an idle worker, reads replies, and runs `done` exactly once per job
//   that is not cancelled, on the dispatcher thread. `done` must not block.
// - An evaluation that outlives its time budget is stopped at once: its
//   worker is killed (SIGKILL) and replaced, and the job answers
//   limit_exceeded naming the time limit. A worker that runs out of its
//   memory budget answers limit_exceeded naming the memory limit, and is
//   replaced. The time budget counts from when a worker starts the job, not
//   while it waits in the queue.
// - cancel() drops a queued job, or kills the worker running it; its `done`
//   is not called unless it is already running.
// - Workers die with this process (PR_SET_PDEATHSIG) and are killed by the
//   destructor.
#pragma once

#include "sandbox/jq_frames.hpp"

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>
#include <sys/types.h>

namespace baley::sandbox {

struct jq_pool_options {
  // argv of a worker: the `baley` binary and "jq-worker"; the pool appends
  // --memory-mb and --parent.
  std::vector<std::string> worker_command;
  std::size_t workers = 2;
  std::uint64_t memory_mb = 256;
  std::chrono::milliseconds default_timeout{5'000};
};

struct jq_job {
  std::string program;
  std::string input_json;
  std::optional<std::chrono::milliseconds> timeout;  // none: the default
};

using jq_done = std::function<void(jq_reply)>;

struct jq_pool_stats {
  std::uint64_t evaluations = 0;     // jobs answered (errors included)
  std::uint64_t over_time = 0;       // stopped at their time budget
  std::uint64_t over_memory = 0;     // over their memory budget
  std::uint64_t cancelled = 0;       // cancelled while queued or running
  std::uint64_t workers_started = 0;
  std::uint64_t queued = 0;          // waiting for a worker now
  std::uint64_t running = 0;         // evaluating now
};

class jq_pool {
public:
  explicit jq_pool(jq_pool_options options);
  ~jq_pool();
  jq_pool(const jq_pool&) = delete;
  jq_pool& operator=(const jq_pool&) = delete;

  // Queues a job; its id serves cancel().
  std::uint64_t submit(jq_job job, jq_done done);
  void cancel(std::uint64_t job);

  jq_pool_stats stats() const;
  const jq_pool_options& options() const;
  // The worker processes alive now (for tests and operators).
  std::vector<pid_t> worker_pids() const;

  // Waits until every job submitted so far is answered (its `done` returned)
  // or dropped; false when `timeout` passed first. For tests that must know
  // the sandbox has nothing in flight.
  bool wait_idle(std::chrono::milliseconds timeout) const;

private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

} // namespace baley::sandbox
