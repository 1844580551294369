// The append benchmark: W writer threads, one event per append, each waiting
// for durability before the next; latency per append, then the raw baseline.
#include "bench/append_bench.hpp"

#include "bench/bench_support.hpp"
#include "storage/bench/raw_baseline.hpp"

#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <latch>
#include <thread>
#include <unistd.h>

namespace baley::bench {

namespace {

using clock_type = std::chrono::steady_clock;

struct log_figures {
  double events_per_s = 0;
  double p50_ms = 0;
  double p99_ms = 0;
  double mean_batch = 0;
};


// An event object of `bytes` bytes (at least its fixed fields).
std::string make_event(int writer, int bytes) {
  std::string event = "{\"type\":\"bench_event\",\"ts\":\"2024-01-01T00:00:00.000Z\",\"writer\":"
                      + std::to_string(writer) + ",\"pad\":\"";
  auto fixed = event.size() + 2;
  if (static_cast<std::size_t>(bytes) > fixed)
    event.append(static_cast<std::size_t>(bytes) - fixed, 'x');
  event.append("\"}");
  return event;
}


// Appends `count` events to stream bench/<writer>, one at a time, recording
// each append's latency in ms. Stops at the first failure.
status append_loop(storage::event_log& log, int writer, int count, int bytes,
                   std::vector<double>& latencies) {
  auto event = make_event(writer, bytes);
  auto stream = "bench/" + std::to_string(writer);
  latencies.reserve(static_cast<std::size_t>(count));
  for (int i = 0; i < count; ++i) {
    storage::append_request request;
    request.stream = stream;
    request.expected_next = static_cast<stream_index>(i);
    request.events.push_back(event);
    auto began = clock_type::now();
    auto appended = log.append(std::move(request));
    std::chrono::duration<double, std::milli> took = clock_type::now() - began;
    if (!appended)
      return appended.error();
    latencies.push_back(took.count());
  }
  return ok;
}

result<log_figures> measure_log(const append_bench_options& options, const std::string& dir) {
  auto opened = storage::event_log::open({dir, options.mode});
  if (!opened)
    return std::move(opened).error();
  auto& log = **opened;
  auto writers = options.writers;
  std::vector<std::vector<double>> latencies(static_cast<std::size_t>(writers));
  std::vector<std::optional<error>> failures(static_cast<std::size_t>(writers));
  std::latch start(writers + 1);
  std::vector<std::thread> threads;
  for (int w = 0; w < writers; ++w) {
    int count = options.events / writers + (w < options.events % writers ? 1 : 0);
    threads.emplace_back([&, w, count] {
      start.arrive_and_wait();
      auto looped = append_loop(log, w, count, options.value_bytes,
                                latencies[static_cast<std::size_t>(w)]);
      if (!looped)
        failures[static_cast<std::size_t>(w)] = looped.error();
    });
  }
  start.arrive_and_wait();
  auto began = clock_type::now();
  for (auto& thread : threads)
    thread.join();
  std::chrono::duration<double> elapsed = clock_type::now() - began;
  for (auto& failure : failures)
    if (failure)
      return *failure;

  std::vector<double> all;
  all.reserve(static_cast<std::size_t>(options.events));
  for (auto& each : latencies)
    all.insert(all.end(), each.begin(), each.end());
  auto stats = log.stats();
  log_figures figures;
  figures.events_per_s = static_cast<double>(all.size()) / elapsed.count();
  figures.p50_ms = percentile(all, 0.50);
  figures.p99_ms = percentile(all, 0.99);
  figures.mean_batch = stats.batches == 0 ? 0
                       : static_cast<double>(stats.events) / static_cast<double>(stats.batches);
  return figures;
}

result<std::string> make_scratch_dir(const std::string& parent) {
  std::error_code ec;
  auto base = parent.empty() ? std::filesystem::temp_directory_path(ec)
                             : std::filesystem::path(parent);
  if (!ec)
    std::filesystem::create_directories(base, ec);
  if (ec)
    return error{"io_error", "cannot use bench dir " + base.string() + ": " + ec.message(), {}};
  auto pattern = (base / "baley-bench-XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr)
    return error{"io_error", "cannot create a temporary dir under " + base.string(), {}};
  return pattern;
}

std::string figures_line(const append_bench_options& options, const log_figures& log,
                         double baseline) {
  char line[512];
  std::snprintf(line, sizeof line,
                "{\"events_per_s\":%.0f,\"p50_ms\":%.3f,\"p99_ms\":%.3f,\"mean_batch\":%.2f,"
                "\"baseline_events_per_s\":%.0f,\"ratio\":%.3f,\"writers\":%d,\"events\":%d,"
                "\"value_bytes\":%d,\"durability\":\"%s\"}",
                log.events_per_s, log.p50_ms, log.p99_ms, log.mean_batch, baseline,
                baseline > 0 ? log.events_per_s / baseline : 0.0, options.writers,
                options.events, options.value_bytes,
                options.mode == storage::durability::fsync ? "fsync" : "buffered");
  return line;
}

} // namespace

std::string run_append_bench(const append_bench_options& options) {
  if (options.writers <= 0 || options.events <= 0 || options.value_bytes < 0)
    return error_line({"invalid_argument", "writers and events must be > 0", {}});
  auto scratch = make_scratch_dir(options.dir);
  if (!scratch)
    return error_line(scratch.error());
  auto log = measure_log(options, *scratch + "/log");
  result<storage::raw_baseline_figures> baseline = storage::raw_baseline_figures{};
  if (log)
    baseline = storage::run_raw_baseline({*scratch + "/raw", options.writers,
                                          static_cast<std::uint64_t>(options.events),
                                          static_cast<std::size_t>(options.value_bytes),
                                          options.mode});
  std::error_code ignored;
  std::filesystem::remove_all(*scratch, ignored);
  if (!log)
    return error_line(log.error());
  if (!baseline)
    return error_line(baseline.error());
  return figures_line(options, *log, baseline->events_per_s);
}

} // namespace baley::bench
