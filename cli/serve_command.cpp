// `baley serve`: the HTTP API on an embedded engine. Prints JSON lines on
// stdout (the admin token on first start, then where it listens) and shuts
// down gracefully on SIGINT/SIGTERM: stop accepting, finish replies, flush
// the log.
#include "cli/command_line.hpp"

#include "http/api.hpp"
#include "http/replies.hpp"
#include "http/server.hpp"
#include "runtime/json_text.hpp"

#include <caf/all.hpp>

#include <boost/json.hpp>

#include <charconv>
#include <fstream>
#include <sstream>
#include <csignal>
#include <sys/resource.h>
#include <iostream>
#include <thread>

namespace baley::cli {
namespace json = boost::json;
namespace {

void print_line(const json::object& o) {
  std::cout << json::serialize(o) << std::endl;
}

constexpr const char* serve_usage =
  "usage: baley serve [--data DIR] [--host 127.0.0.1] [--port 8080] "
  "[--durability fsync|buffered] [--io-threads N] [--request-timeout-ms N] [--sse-ping-ms N] "
  "[--prices FILE] [--jq-timeout-ms N] [--jq-memory-mb N] [--jq-workers N] [--debug]";

} // namespace

int serve_command(int argc, char** argv) {
  // Block the shutdown signals before any thread exists, so that every
  // thread inherits the mask and only sigwait below receives them.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  auto args = parse_arguments(argc, argv, 2,
                              {"data", "host", "port", "durability", "io-threads",
                               "request-timeout-ms", "sse-ping-ms", "prices", "jq-timeout-ms",
                               "jq-memory-mb", "jq-workers"},
                              {"debug", "help"});
  if (!args)
    return fail(args.error());
  if (args->flag("help")) {
    std::cout << serve_usage << std::endl;
    return 0;
  }
  if (!args->positional.empty())
    return fail(error{"usage", serve_usage, {}});
  auto mode = parse_durability(args->flag("durability"));
  if (!mode)
    return fail(mode.error());
  auto port = number_flag(*args, "port", 8080, 0, 65535);
  auto threads = number_flag(*args, "io-threads", 1, 1, 64);
  auto timeout = number_flag(*args, "request-timeout-ms", 10'000, 100, 3'600'000);
  auto ping = number_flag(*args, "sse-ping-ms", 15'000, 100, 3'600'000);
  for (const auto* r : {&port, &threads, &timeout, &ping})
    if (!*r)
      return fail(r->error());
  // Each client is a descriptor: take every one the hard limit allows.
  rlimit files{};
  if (getrlimit(RLIMIT_NOFILE, &files) == 0 && files.rlim_cur < files.rlim_max) {
    files.rlim_cur = files.rlim_max;
    setrlimit(RLIMIT_NOFILE, &files);
  }
  auto dir = args->flag("data").value_or("data");
  if (auto prepared = prepare_data_dir(dir); !prepared)
    return fail(prepared.error());
  bool debug = args->flag("debug").has_value();

  caf::actor_system_config config;
  config.set("scheduler.max-threads", static_cast<size_t>(std::max(2u, std::thread::hardware_concurrency())));
  caf::actor_system system{config};
  auto jq = jq_options_of(*args);
  if (!jq)
    return fail(jq.error());
  actors::engine_options engine_options{.data_dir = dir, .mode = *mode, .debug = debug,
                                        .jq = std::move(jq).value()};
  if (auto file = args->flag("prices")) {
    std::ifstream in(*file);
    std::stringstream text;
    text << in.rdbuf();
    auto parsed = in ? runtime::parse_json(text.str()) : result<json::value>(error{
                         "unreadable_file", "cannot read prices file " + *file, {}});
    if (!parsed)
      return fail(error{parsed.error().code, *file + ": " + parsed.error().message, {}});
    auto prices = runtime::price_table::parse(*parsed);
    if (!prices)
      return fail(error{prices.error().code, *file + ": " + prices.error().message, {}});
    engine_options.prices = std::move(prices).value();
  }
  auto engine = actors::engine::open(system, engine_options);
  if (!engine)
    return fail(engine.error());
  http::metrics counters;
  auto api = http::start_api(system, **engine, counters, {dir, debug, 2});
  if (!api)
    return fail(api.error(), exit_code::failed);
  if (api->admin_token)
    print_line({{"msg", "admin token created"}, {"adminToken", *api->admin_token},
                {"file", dir + "/admin-token"}});
  for (const auto& failed : api->not_resumed)
    std::cout << actors::describe(failed) << std::endl;
  if (api->resumed)
    print_line({{"msg", "executions resumed"}, {"count", api->resumed}});

  http::server_options options;
  options.host = args->flag("host").value_or("127.0.0.1");
  options.port = static_cast<std::uint16_t>(*port);
  options.io_threads = static_cast<int>(*threads);
  options.request_timeout = std::chrono::milliseconds(*timeout);
  options.sse_ping_interval = std::chrono::milliseconds(*ping);
  options.debug = debug;
  http::set_debug_answers(debug);
  http::server server(options, *api->sink);
  auto bound = server.start();
  if (!bound) {
    http::stop_api(*api);
    (*engine)->shutdown();
    return fail(bound.error(), exit_code::failed);
  }
  print_line({{"msg", "listening"},
              {"url", "http://" + options.host + ":" + std::to_string(*bound)},
              {"port", *bound}});

  int received = 0;
  sigwait(&signals, &received);
  print_line({{"msg", "shutting down"}, {"signal", received == SIGINT ? "SIGINT" : "SIGTERM"}});
  server.stop();
  http::stop_api(*api);
  (*engine)->shutdown();
  return 0;
}

} // namespace baley::cli
