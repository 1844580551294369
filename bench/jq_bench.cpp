// The jq sandbox benchmark: a function block's typical program (map, add,
// an object) on a small order, in process and through the worker pool.
#include "bench/jq_bench.hpp"

#include "bench/bench_support.hpp"
#include "runtime/jq/jq_program.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <mutex>

namespace baley::bench {
namespace {

using clock_type = std::chrono::steady_clock;

constexpr const char* program_text = "{total: (.items | map(.price * .qty) | add), n: (.items | length)}";
constexpr const char* input_text =
  R"({"order":"A-1","items":[{"price":2.5,"qty":2},{"price":1,"qty":3},{"price":7,"qty":1}]})";

double micros(clock_type::duration d) {
  return std::chrono::duration<double, std::micro>(d).count();
}

// Waits for `count` replies; false at the first error reply.
class reply_counter {
public:
  void add(const sandbox::jq_reply& reply) {
    std::lock_guard lock(mutex_);
    ++replies_;
    failed_ |= !reply.ok;
    if (!reply.ok)
      problem_ = reply.text;
    changed_.notify_all();
  }
  bool wait(int count) {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [&] { return replies_ >= count; });
    return !failed_;
  }
  const std::string& problem() const { return problem_; }

private:
  std::mutex mutex_;
  std::condition_variable changed_;
  int replies_ = 0;
  bool failed_ = false;
  std::string problem_;
};


} // namespace

std::string run_jq_bench(const jq_bench_options& options) {
  auto program = runtime::jq_program::compile(program_text);
  if (!program)
    return error_line(program.error().code, program.error().message);
  auto input = boost::json::parse(input_text);
  const int n = std::max(1, options.evaluations);

  auto began = clock_type::now();
  for (int i = 0; i < n; ++i)
    if (!(*program)->run(input))
      return error_line("jq_error", "the bench program failed in process");
  double in_process_us = micros(clock_type::now() - began) / n;

  sandbox::jq_pool pool({.worker_command = options.worker_command,
                         .workers = static_cast<std::size_t>(std::max(1, options.workers))});
  auto input_json = boost::json::serialize(input);
  // One at a time: the round trip of one evaluation.
  std::vector<double> latencies;
  latencies.reserve(static_cast<std::size_t>(n / 4 + 1));
  for (int i = 0; i < n / 4 + 1; ++i) {
    reply_counter one;
    auto sent = clock_type::now();
    pool.submit({program_text, input_json, {}}, [&one](sandbox::jq_reply r) { one.add(r); });
    if (!one.wait(1))
      return error_line("jq_error", one.problem());
    latencies.push_back(micros(clock_type::now() - sent));
  }
  // All at once: throughput over the workers.
  reply_counter all;
  began = clock_type::now();
  for (int i = 0; i < n; ++i)
    pool.submit({program_text, input_json, {}}, [&all](sandbox::jq_reply r) { all.add(r); });
  if (!all.wait(n))
    return error_line("jq_error", all.problem());
  double seconds = std::chrono::duration<double>(clock_type::now() - began).count();

  auto p50 = percentile(latencies, 0.50);
  auto p99 = percentile(latencies, 0.99);
  auto round = [](double v) { return static_cast<std::int64_t>(std::llround(v)); };
  boost::json::object line{{"evaluations", n},
                           {"workers", options.workers},
                           {"in_process_us", round(in_process_us)},
                           {"sandbox_p50_us", round(p50)},
                           {"sandbox_p99_us", round(p99)},
                           {"sandbox_overhead_us", round(p50 - in_process_us)},
                           {"sandbox_evals_per_s", round(n / seconds)},
                           {"in_process_evals_per_s", round(1e6 / in_process_us)}};
  return boost::json::serialize(line);
}

} // namespace baley::bench
