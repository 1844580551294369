// The analytics benchmark; see analytics_bench.hpp. Timeline: the server
// starts on an empty dir, the setup goes over HTTP, the decisions go through
// the log as the execution actor would write them, then the routes are timed
// one request at a time, a pattern is created, and the stopped server's
// projections are rebuilt.
#include "bench/analytics_bench.hpp"

#include "actors/engine.hpp"
#include "bench/bench_support.hpp"
#include "http/api.hpp"
#include "http/server.hpp"
#include "runtime/insight/decision.hpp"
#include "runtime/stream_names.hpp"
#include "storage/execution_projections.hpp"
#include "storage/insight_projector.hpp"
#include "storage/rebuild.hpp"

#include <caf/all.hpp>

#include <boost/json.hpp>

#include <condition_variable>
#include <filesystem>
#include <mutex>

namespace baley::bench {
namespace {
namespace json = boost::json;
using namespace runtime;
using clock_type = std::chrono::steady_clock;

constexpr unix_ms day_ms = 86'400'000;
constexpr const char* kinds[] = {"billing", "bug", "question", "refund", "spam"};
constexpr const char* models[] = {"gpt-4o", "gpt-4o-mini", "claude-3-5-sonnet", "o3-mini"};
constexpr std::size_t in_flight_limit = 1024;

// Figures are whole numbers (µs, ms, per second), so the line reads plainly.
std::int64_t micros_since(clock_type::time_point start) {
  return std::chrono::duration_cast<std::chrono::microseconds>(clock_type::now() - start).count();
}

// What the setup made over HTTP.
struct fixture {
  std::string token;
  std::string workspace_id;
  std::vector<std::string> blocks;  // ai-blocks
  std::vector<std::string> flows;   // flows[i] runs blocks[i]
};

result<json::value> call_json(std::uint16_t port, const std::string& method,
                              const std::string& path, const std::string& token,
                              const std::string& body, int expected) {
  auto r = loopback_call(port, method, path, token, body);
  if (!r)
    return std::move(r).error();
  if (r->first != expected)
    return error{"setup", method + " " + path + ": " + std::to_string(r->first) + " " + r->second, {}};
  boost::system::error_code ec;
  auto value = json::parse(r->second, ec);
  if (ec)
    return error{"setup", method + " " + path + ": not JSON", {}};
  return value;
}

result<fixture> set_up(std::uint16_t port, std::string token, int blocks) {
  fixture f{.token = std::move(token)};
  auto ws = call_json(port, "GET", "/api/workspaces/current", f.token, "", 200);
  if (!ws)
    return std::move(ws).error();
  f.workspace_id = json::value_to<std::string>(ws->at("id"));
  auto connection = call_json(port, "POST", "/api/connections", f.token,
                              R"({"name":"bench","type":"simulated","baseUrl":"simulated://"})", 201);
  if (!connection)
    return std::move(connection).error();
  auto connection_id = json::value_to<std::string>(connection->at("id"));
  for (int b = 0; b < blocks; ++b) {
    auto block = call_json(port, "POST", "/api/blocks", f.token,
                           R"({"name":"triage-)" + std::to_string(b)
                             + R"(","type":"ai-block","config":{"connectionId":")" + connection_id
                             + R"(","model":"gpt-4o","goal":"Triage the ticket."}})",
                           201);
    if (!block)
      return std::move(block).error();
    f.blocks.push_back(json::value_to<std::string>(block->at("id")));
    auto flow = call_json(port, "POST", "/api/flows", f.token,
                          R"({"name":"support-)" + std::to_string(b)
                            + R"(","nodes":[{"id":"in","type":"source"},{"id":"ask","type":"ai-block",
                            "data":{"blockId":")" + f.blocks.back()
                            + R"("}},{"id":"out","type":"sink"}],"edges":[{"source":"in","target":"ask"},
                            {"source":"ask","target":"out"}]})",
                          201);
    if (!flow)
      return std::move(flow).error();
    f.flows.push_back(json::value_to<std::string>(flow->at("id")));
  }
  return f;
}

// Appends with at most in_flight_limit requests waiting for the writer.
class loader {
public:
  loader(storage::event_log& log, actors::pattern_matcher& matcher)
    : log_(log), matcher_(matcher) {}

  void append(storage::append_request request, std::vector<std::string> decisions) {
    {
      std::unique_lock lock(mutex_);
      room_.wait(lock, [this] { return in_flight_ < in_flight_limit; });
      ++in_flight_;
    }
    events_ += request.events.size();
    log_.append_async(std::move(request), [this, decisions = std::move(decisions)](
                                            result<std::vector<storage::committed_event>> r) mutable {
      if (r && !decisions.empty())
        matcher_.committed(std::move(decisions));
      std::lock_guard lock(mutex_);
      if (!r && failure_.empty())
        failure_ = r.error().message;
      --in_flight_;
      room_.notify_all();
    });
  }

  // Waits for every append; the first failure, if any.
  std::string drain() {
    std::unique_lock lock(mutex_);
    room_.wait(lock, [this] { return in_flight_ == 0; });
    return failure_;
  }

  std::uint64_t events() const { return events_; }

private:
  storage::event_log& log_;
  actors::pattern_matcher& matcher_;
  std::mutex mutex_;
  std::condition_variable room_;
  std::size_t in_flight_ = 0;
  std::string failure_;
  std::uint64_t events_ = 0;
};

// One execution of flows[i % blocks]: a decision, or for one in fifty a
// provider failure; feedback on one decision in ten.
void write_execution(loader& load, actors::id_source& ids, const fixture& f, int i, int total,
                     unix_ms first, bool failure) {
  const auto b = static_cast<std::size_t>(i) % f.blocks.size();
  const unix_ms at = first + static_cast<unix_ms>(i) * (29 * day_ms) / total;
  const auto execution_id = ids.next_id();
  const auto node_run = ids.next_id();
  const int mix = i / 7;  // so that no block sees one kind only
  json::value input = json::object{{"ticket", i},
                                   {"kind", kinds[(i + mix) % 5]},
                                   {"text", "Customer message " + std::to_string(i)}};
  execution_start start;
  start.input = input;
  start.flow_id = f.flows[b];
  start.flow_version = 1;
  start.triggered_by = "api";
  start.workspace_id = f.workspace_id;
  start.block_versions = {{f.blocks[b], 1}};
  std::vector<execution_event> events;
  events.push_back({at, std::move(start)});
  events.push_back({at, node_start{.node_id = "ask", .block_execution_id = node_run, .input = input}});
  const std::int64_t latency = 200 + (i * 37) % 3000;
  if (failure) {
    auto message = "provider returned 503 after attempt " + std::to_string(1 + i % 3)
                   + " of 3 (request " + node_run + ")";
    events.push_back({at + latency, node_error{.node_id = "ask", .error = message, .attempt = 3,
                                               .code = "provider_error"}});
    events.push_back({at + latency, execution_error{message, "ask", "provider_error"}});
  } else {
    json::value output = kinds[(i + mix * 3) % 5];
    const std::int64_t in = 50 + i % 100, out = 20 + i % 50;
    events.push_back({at + latency,
                      node_complete{.node_id = "ask",
                                    .output = output,
                                    .duration_ms = latency,
                                    .tokens = json::object{{"input", in}, {"output", out}},
                                    .cost = (in * 2.5 + out * 10.0) / 1e6,
                                    .model = std::string(models[i % 4]),
                                    .ttft_ms = 100 + i % 200}});
    events.push_back({at + latency, execution_complete{json::object{{"ask", output}}, {}}});
  }
  storage::append_request request{.stream = names::execution_stream(execution_id),
                                  .expected_next = stream_index{0}};
  for (const auto& e : events)
    request.events.push_back(serialize_event(e));
  const auto& block_id = f.blocks[b];
  storage::execution_puts(execution_id, {}, events,
                          {.stored_block_of = [&block_id](const std::string& node)
                             -> std::optional<std::string> {
                             return node == "ask" ? std::optional(block_id) : std::nullopt;
                           }},
                          request.projections);
  std::optional<decision_record> decision;
  for (const auto& put : request.projections)
    if (put.family == storage::families::decisions)
      if (auto d = parse_decision(put.value))
        decision = std::move(*d);
  load.append(std::move(request), decision ? std::vector{node_run} : std::vector<std::string>{});
  if (!decision || i % 10 != 0)
    return;
  decision->feedback = feedback{.decision_id = node_run,
                                .workspace_id = f.workspace_id,
                                .correct = i % 3 != 0,
                                .category = i % 3 != 0 ? "" : "wrong_answer",
                                .created_at = at + latency + 60'000};
  storage::append_request judged{.stream = names::feedback_stream(node_run),
                                 .expected_next = stream_index{0},
                                 .events = {serialize_feedback_event(*decision->feedback)}};
  storage::decision_puts(*decision, judged.projections);
  load.append(std::move(judged), {});
}

// p50 and p99 of `requests` GETs of `path`, one at a time.
result<json::object> time_route(std::uint16_t port, const std::string& token,
                                const std::string& path, int requests) {
  std::vector<double> us;
  for (int r = 0; r < requests; ++r) {
    auto start = clock_type::now();
    auto answer = loopback_call(port, "GET", path, token);
    us.push_back(static_cast<double>(micros_since(start)));
    if (!answer)
      return std::move(answer).error();
    if (answer->first != 200)
      return error{"route", path + ": " + std::to_string(answer->first) + " " + answer->second, {}};
  }
  return json::object{{"p50_us", static_cast<std::int64_t>(percentile(us, 0.50))},
                      {"p99_us", static_cast<std::int64_t>(percentile(us, 0.99))}};
}

result<json::object> rebuild_figures(const std::string& dir) {
  auto log = storage::event_log::open({dir, storage::durability::fsync});
  if (!log)
    return std::move(log).error();
  (*log)->set_projector(storage::make_insight_projector());
  auto before = storage::digest_projections(**log);
  if (!before)
    return std::move(before).error();
  auto report = storage::rebuild_projections(**log);
  if (!report)
    return std::move(report).error();
  auto after = storage::digest_projections(**log);
  if (!after)
    return std::move(after).error();
  (*log)->close();
  auto per_second = report->seconds > 0 ? double(report->events) / report->seconds : 0;
  return json::object{{"events", report->events},
                      {"ms", static_cast<std::int64_t>(report->seconds * 1000)},
                      {"eventsPerSecond", static_cast<std::int64_t>(per_second)},
                      {"identical", *before == *after}};
}

} // namespace

std::string run_analytics_bench(const analytics_bench_options& options) {
  if (options.decisions < 1 || options.blocks < 1 || options.requests < 1)
    return error_line("invalid_argument", "decisions, blocks and requests must be > 0");
  auto base = options.dir.empty() ? std::filesystem::temp_directory_path()
                                  : std::filesystem::path(options.dir);
  auto dir = base / ("baley-analytics-bench-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  struct cleanup {
    std::filesystem::path dir;
    bool keep;
    ~cleanup() {
      std::error_code ec;
      if (!keep)
        std::filesystem::remove_all(dir, ec);
    }
  } remove_dir{dir, options.keep};

  json::object line;
  {
    caf::actor_system_config config;
    config.set("scheduler.max-threads", static_cast<size_t>(2));
    caf::actor_system system{config};
    auto engine = actors::engine::open(
      system, {.data_dir = dir.string(), .mode = storage::durability::buffered});
    if (!engine)
      return error_line(engine.error());
    http::metrics counters;
    auto api = http::start_api(system, **engine, counters, {dir.string(), false, 2});
    if (!api || !api->admin_token)
      return error_line("internal", "the API did not start");
    http::server_options server_options;
    server_options.port = 0;
    http::server server(server_options, *api->sink);
    auto port = server.start();
    if (!port)
      return error_line(port.error());
    auto stop = [&] {
      server.stop();
      http::stop_api(*api);
      (*engine)->shutdown();
    };
    auto f = set_up(*port, *api->admin_token, options.blocks);
    if (!f) {
      stop();
      return error_line(f.error());
    }

    auto load_start = clock_type::now();
    loader load((*engine)->log(), (*engine)->patterns());
    actors::id_source ids;
    const unix_ms first = actors::wall_clock()->now() - 29 * day_ms - 3'600'000;
    // One failed execution after every fifty decisions.
    const int total = options.decisions + options.decisions / 50;
    int failures = 0;
    int first_block_decisions = 0;  // what the pattern below goes over
    for (int i = 0, made = 0; made < options.decisions; ++i) {
      bool failure = i % 51 == 50;
      write_execution(load, ids, *f, i, total, first, failure);
      (failure ? failures : made) += 1;
      first_block_decisions += !failure && i % options.blocks == 0 ? 1 : 0;
    }
    auto failed = load.drain();
    auto matched = (*engine)->patterns().wait_idle(std::chrono::minutes(10));
    auto load_ms = micros_since(load_start) / 1000;
    if (!failed.empty() || !matched) {
      stop();
      return error_line("load", failed.empty() ? "the pattern matcher did not catch up" : failed);
    }
    line["decisions"] = options.decisions;
    line["failures"] = failures;
    line["events"] = load.events();
    line["loadMs"] = load_ms;

    json::object routes;
    const auto& block = f->blocks.front();
    std::pair<const char*, std::string> paths[] = {
      {"blocks_hour", "/api/analytics/blocks/" + block + "?bucket=hour"},
      {"blocks_day", "/api/analytics/blocks/" + block + "?bucket=day"},
      {"cost_by_block", "/api/analytics/cost?groupBy=block"},
      {"cost_by_model", "/api/analytics/cost?groupBy=model"},
      {"cost_by_flow", "/api/analytics/cost?groupBy=flow"},
      {"failures", "/api/analytics/failures"}};
    for (const auto& [name, path] : paths) {
      auto figures = time_route(*port, f->token, path, options.requests);
      if (!figures) {
        stop();
        return error_line(figures.error());
      }
      routes[name] = std::move(*figures);
    }
    line["routes"] = std::move(routes);

    auto pattern_start = clock_type::now();
    auto pattern = call_json(*port, "POST", "/api/patterns", f->token,
                             R"({"name":"billing","blockId":")" + block
                               + R"(","condition":".kind == \"billing\"","outcome":"billing"})",
                             201);
    auto pattern_ms = micros_since(pattern_start) / 1000;
    if (!pattern) {
      stop();
      return error_line(pattern.error());
    }
    line["pattern"] = json::object{
      {"decisions", first_block_decisions},
      {"matched", pattern->at("stats").at("matched")},
      {"ms", pattern_ms}};
    stop();
  }
  auto rebuilt = rebuild_figures(dir.string());
  if (!rebuilt)
    return error_line(rebuilt.error());
  line["rebuild"] = std::move(*rebuilt);
  if (options.keep)
    line["dir"] = dir.string();
  return json::serialize(line);
}

} // namespace baley::bench
