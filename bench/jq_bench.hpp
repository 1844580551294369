// `baley bench jq`: the cost of evaluating jq in the sandbox's worker
// processes, against the same program evaluated in this process.
#pragma once
//
// Returns one JSON line:
//   {"evaluations","workers","in_process_us","sandbox_p50_us","sandbox_p99_us",
//    "sandbox_overhead_us","sandbox_evals_per_s","in_process_evals_per_s"}
// sandbox_p50/p99: one evaluation at a time, submit to reply (round trip);
// sandbox_evals_per_s: every evaluation submitted at once, `workers` workers.
// Or {"error":{"code","message"}} when it could not run.

#include "sandbox/jq_pool.hpp"

#include <string>

namespace baley::bench {

struct jq_bench_options {
  int evaluations = 20000;
  int workers = 2;
  std::vector<std::string> worker_command;  // the `baley jq-worker` command
};

std::string run_jq_bench(const jq_bench_options& options);

} // namespace baley::bench
