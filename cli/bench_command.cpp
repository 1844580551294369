// `baley bench append|sse|jq|analytics`: the scenarios of bench/, their flags
// checked here.
#include "cli/command_line.hpp"

#include "actors/engine.hpp"
#include "bench/analytics_bench.hpp"
#include "bench/append_bench.hpp"
#include "bench/jq_bench.hpp"
#include "bench/sse_bench.hpp"

#include <algorithm>
#include <limits>
#include <iostream>

namespace baley::cli {
namespace {

result<int> positive(const arguments& args, const std::string& name, int fallback) {
  auto value = number_flag(args, name, fallback, 1, std::numeric_limits<int>::max());
  if (!value)
    return error{"usage", "--" + name + " must be a positive integer", {}};
  return static_cast<int>(*value);
}

} // namespace

int sse_bench_command(int argc, char** argv) {
  auto args = parse_arguments(argc, argv, 3,
                              {"streams", "executions", "spread-ms", "durability", "dir"});
  if (!args)
    return fail(args.error());
  bench::sse_bench_options options;
  auto streams = positive(*args, "streams", options.streams);
  auto executions = positive(*args, "executions", options.executions);
  auto mode = parse_durability(args->flag("durability"));
  for (const auto* e : {streams.has_value() ? nullptr : &streams.error(),
                        executions.has_value() ? nullptr : &executions.error(),
                        mode.has_value() ? nullptr : &mode.error()})
    if (e)
      return fail(*e);
  options.streams = *streams;
  options.executions = *executions;
  options.mode = *mode;
  auto spread = number_flag(*args, "spread-ms", options.spread_ms, 0, 600'000);
  if (!spread)
    return fail(spread.error());
  options.spread_ms = static_cast<int>(*spread);
  options.dir = args->flag("dir").value_or("");
  auto line = bench::run_sse_bench(options);
  std::cout << line << std::endl;
  return line.find("\"error\"") == std::string::npos ? 0 : exit_code::failed;
}

int jq_bench_command(int argc, char** argv) {
  auto args = parse_arguments(argc, argv, 3, {"evaluations", "workers"});
  if (!args)
    return fail(args.error());
  bench::jq_bench_options options;
  auto evaluations = positive(*args, "evaluations", options.evaluations);
  auto workers = positive(*args, "workers", options.workers);
  if (!evaluations || !workers)
    return fail(!evaluations ? evaluations.error() : workers.error());
  options.evaluations = *evaluations;
  options.workers = *workers;
  options.worker_command = actors::own_jq_worker_command();
  auto line = bench::run_jq_bench(options);
  std::cout << line << std::endl;
  return line.find("\"error\"") == std::string::npos ? 0 : exit_code::failed;
}

int analytics_bench_command(int argc, char** argv) {
  auto args = parse_arguments(argc, argv, 3, {"decisions", "blocks", "requests", "dir"}, {"keep"});
  if (!args)
    return fail(args.error());
  bench::analytics_bench_options options;
  auto decisions = positive(*args, "decisions", options.decisions);
  auto blocks = positive(*args, "blocks", options.blocks);
  auto requests = positive(*args, "requests", options.requests);
  for (const auto* e : {decisions ? nullptr : &decisions.error(),
                        blocks ? nullptr : &blocks.error(),
                        requests ? nullptr : &requests.error()})
    if (e)
      return fail(*e);
  options.decisions = *decisions;
  options.blocks = *blocks;
  options.requests = *requests;
  options.dir = args->flag("dir").value_or("");
  options.keep = args->flag("keep").has_value();
  auto line = bench::run_analytics_bench(options);
  std::cout << line << std::endl;
  return line.find("\"error\"") == std::string::npos ? 0 : exit_code::failed;
}

int bench_command(int argc, char** argv) {
  if (argc >= 3 && std::string(argv[2]) == "sse")
    return sse_bench_command(argc, argv);
  if (argc >= 3 && std::string(argv[2]) == "jq")
    return jq_bench_command(argc, argv);
  if (argc >= 3 && std::string(argv[2]) == "analytics")
    return analytics_bench_command(argc, argv);
  if (argc < 3 || std::string(argv[2]) != "append")
    return fail(error{"usage", "usage: baley bench append [--writers N] [--events N] "
                               "[--value-bytes B] [--durability fsync|buffered] [--dir D]\n"
                               "       baley bench sse [--streams N] [--executions N] "
                               "[--durability fsync|buffered]\n"
                               "       baley bench jq [--evaluations N] [--workers N]\n"
                               "       baley bench analytics [--decisions N] [--blocks N] "
                               "[--requests N] [--dir D] [--keep]", {}});
  auto args = parse_arguments(argc, argv, 3,
                              {"writers", "events", "value-bytes", "durability", "dir"});
  if (!args)
    return fail(args.error());
  bench::append_bench_options options;
  auto writers = positive(*args, "writers", options.writers);
  auto events = positive(*args, "events", options.events);
  auto bytes = positive(*args, "value-bytes", options.value_bytes);
  auto mode = parse_durability(args->flag("durability"));
  for (const auto* e : {writers.has_value() ? nullptr : &writers.error(),
                        events.has_value() ? nullptr : &events.error(),
                        bytes.has_value() ? nullptr : &bytes.error(),
                        mode.has_value() ? nullptr : &mode.error()})
    if (e)
      return fail(*e);
  options.writers = *writers;
  options.events = *events;
  options.value_bytes = *bytes;
  options.mode = *mode;
  options.dir = args->flag("dir").value_or("");
  auto line = bench::run_append_bench(options);
  std::cout << line << std::endl;
  return line.find("\"error\"") == std::string::npos ? 0 : exit_code::failed;
}

} // namespace baley::cli
