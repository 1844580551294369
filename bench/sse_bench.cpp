// SSE delivery latency; see sse_bench.hpp. Timeline: one flow whose first
// node waits 2 s, `executions` executions started at once, then `streams`
// clients connect during that wait, so every event after it is delivered
// live; each (client, event) pair is one sample.
#include "bench/sse_bench.hpp"

#include "actors/engine.hpp"
#include "bench/bench_support.hpp"
#include "http/api.hpp"
#include "http/server.hpp"

#include <caf/all.hpp>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <boost/json.hpp>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <mutex>
#include <thread>
#include <unordered_map>

namespace baley::bench {
namespace {
namespace net = boost::asio;
namespace json = boost::json;
using tcp = net::ip::tcp;
using clock_type = std::chrono::steady_clock;

constexpr const char* bench_flow = R"({"name":"sse-bench","nodes":[
  {"id":"in","type":"source"},
  {"id":"hold","type":"delay","data":{"ms":2000}},
  {"id":"a","type":"function-block","data":{"code":"{n: (.n + 1)}"}},
  {"id":"pause","type":"delay","data":{"ms":20}},
  {"id":"b","type":"function-block","data":{"code":"{n: (.n * 2)}"}},
  {"id":"out","type":"sink"}],
  "edges":[{"source":"in","target":"hold"},{"source":"hold","target":"a"},
  {"source":"a","target":"pause"},{"source":"pause","target":"b"},{"source":"b","target":"out"}]})";

// Commit times, as the broker hands events out.
struct commit_clock {
  std::mutex mutex;
  std::unordered_map<std::string, std::vector<clock_type::time_point>> by_stream;

  void record(const std::string& stream, stream_index at) {
    auto now = clock_type::now();
    auto index = at.value();
    std::lock_guard lock(mutex);
    auto& times = by_stream[stream];
    if (times.size() <= index)
      times.resize(index + 1);
    times[index] = now;
  }
  std::optional<clock_type::time_point> at(const std::string& stream, stream_index at) {
    auto index = at.value();
    std::lock_guard lock(mutex);
    auto it = by_stream.find(stream);
    if (it == by_stream.end() || it->second.size() <= index)
      return std::nullopt;
    return it->second[index];
  }
};

actors::event_subscriber::behavior_type commit_recorder(actors::event_subscriber::pointer,
                                                        commit_clock* clock) {
  return {
    [clock](actors::event_atom, const actors::shared_event& e) { clock->record(e->stream, e->index); },
  };
}

struct sample_set {
  std::mutex mutex;
  std::vector<double> latencies_ms;
  int done = 0;
};

// One SSE client: connects, asks for the stream, and timestamps each message.
class sse_client : public std::enable_shared_from_this<sse_client> {
public:
  sse_client(net::io_context& ioc, std::uint16_t port, std::string execution_id,
             std::string token, commit_clock& clock, sample_set& samples)
    : socket_(ioc), port_(port), id_(std::move(execution_id)), token_(std::move(token)),
      clock_(clock), samples_(samples) {}

  void start() {
    socket_.async_connect({net::ip::make_address("127.0.0.1"), port_},
                          [self = shared_from_this()](boost::system::error_code ec) {
                            if (!ec)
                              self->send_request();
                          });
  }

private:
  void send_request() {
    request_ = "GET /api/executions/" + id_ + "/stream HTTP/1.1\r\nHost: 127.0.0.1\r\n"
               "Authorization: Bearer " + token_ + "\r\nAccept: text/event-stream\r\n\r\n";
    net::async_write(socket_, net::buffer(request_),
                     [self = shared_from_this()](boost::system::error_code ec, std::size_t) {
                       if (ec)
                         return;
                       self->connected_at_ = clock_type::now();
                       self->read();
                     });
  }

  void read() {
    socket_.async_read_some(net::buffer(buffer_),
                            [self = shared_from_this()](boost::system::error_code ec, std::size_t n) {
                              if (ec)
                                return;
                              self->take(std::string_view(self->buffer_.data(), n));
                              if (!self->finished_)
                                self->read();
                            });
  }

  void take(std::string_view bytes) {
    auto now = clock_type::now();
    pending_.append(bytes);
    std::size_t end;
    while ((end = pending_.find("\n\n")) != std::string::npos) {
      auto message = std::string_view(pending_).substr(0, end);
      if (message.find("data: [DONE]") != std::string_view::npos) {
        finished_ = true;
        std::lock_guard lock(samples_.mutex);
        ++samples_.done;
      } else if (auto at = message.find("id: "); at != std::string_view::npos) {
        auto index = std::strtoull(message.data() + at + 4, nullptr, 10);
        auto committed = clock_.at("exec/" + id_, stream_index{index});
        if (committed && *committed > connected_at_) {
          std::chrono::duration<double, std::milli> latency = now - *committed;
          std::lock_guard lock(samples_.mutex);
          samples_.latencies_ms.push_back(latency.count());
        }
      }
      pending_.erase(0, end + 2);
    }
  }

  tcp::socket socket_;
  std::uint16_t port_;
  std::string id_, token_, request_, pending_;
  std::array<char, 16384> buffer_{};
  commit_clock& clock_;
  sample_set& samples_;
  clock_type::time_point connected_at_{};
  bool finished_ = false;
};

} // namespace

std::string run_sse_bench(const sse_bench_options& options) {
  auto base = options.dir.empty() ? std::filesystem::temp_directory_path()
                                  : std::filesystem::path(options.dir);
  auto dir = base / ("baley-sse-bench-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  struct cleanup {
    std::filesystem::path dir;
    ~cleanup() {
      std::error_code ec;
      std::filesystem::remove_all(dir, ec);
    }
  } remove_dir{dir};

  caf::actor_system_config config;
  config.set("scheduler.max-threads", static_cast<size_t>(2));
  caf::actor_system system{config};
  auto engine = actors::engine::open(system, {.data_dir = dir.string(), .mode = options.mode});
  if (!engine)
    return error_line(engine.error().code, engine.error().message);
  http::metrics counters;
  auto api = http::start_api(system, **engine, counters, {dir.string(), false, 2});
  if (!api || !api->admin_token)
    return error_line("internal", "the API did not start");
  commit_clock clock;
  auto recorder = system.spawn(commit_recorder, &clock);
  caf::anon_send((*engine)->broker(), actors::subscribe_atom_v,
                 std::string(actors::all_streams), recorder);
  http::server_options server_options;
  server_options.port = 0;
  server_options.sse_queue_limit = 64 << 20;
  http::server server(server_options, *api->sink);
  auto port = server.start();
  if (!port)
    return error_line(port.error().code, port.error().message);
  const auto& token = *api->admin_token;

  std::string outcome;
  auto created = loopback_call(*port, "POST", "/api/flows", token, bench_flow);
  if (!created || created->first != 201) {
    outcome = error_line("setup", "cannot create the bench flow");
  } else {
    auto flow_id = json::value_to<std::string>(json::parse(created->second).at("id"));
    std::vector<std::string> ids;
    for (int i = 0; i < options.executions; ++i) {
      // Spread the starts so the executions' events arrive as a steady flow.
      std::this_thread::sleep_for(std::chrono::milliseconds(options.spread_ms)
                                  / std::max(1, options.executions));
      auto started = loopback_call(*port, "POST", "/api/flows/" + flow_id + "/execute", token,
                          "{\"input\":{\"n\":1}}");
      if (started && started->first == 202)
        ids.push_back(json::value_to<std::string>(json::parse(started->second).at("executionId")));
    }
    net::io_context ioc;
    sample_set samples;
    for (int s = 0; s < options.streams && !ids.empty(); ++s)
      std::make_shared<sse_client>(ioc, *port, ids[static_cast<std::size_t>(s) % ids.size()],
                                   token, clock, samples)->start();
    auto deadline = clock_type::now() + std::chrono::seconds(60);
    std::thread runner([&] { ioc.run(); });
    for (;;) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
      std::lock_guard lock(samples.mutex);
      if (samples.done >= options.streams || clock_type::now() > deadline)
        break;
    }
    ioc.stop();
    runner.join();
    auto latencies = std::move(samples.latencies_ms);
    auto count = latencies.size();
    auto p50 = percentile(latencies, 0.50), p99 = percentile(latencies, 0.99);
    auto max = latencies.empty() ? 0 : *std::max_element(latencies.begin(), latencies.end());
    char line[512];
    std::snprintf(line, sizeof line,
                  "{\"streams\":%d,\"executions\":%zu,\"spread_ms\":%d,\"events_measured\":%zu,"
                  "\"clients_done\":%d,\"p50_ms\":%.3f,\"p99_ms\":%.3f,\"max_ms\":%.3f,"
                  "\"durability\":\"%s\"}",
                  options.streams, ids.size(), options.spread_ms, count, samples.done, p50, p99,
                  max, options.mode == storage::durability::fsync ? "fsync" : "buffered");
    outcome = line;
  }
  server.stop();
  caf::anon_send_exit(recorder, caf::exit_reason::user_shutdown);
  http::stop_api(*api);
  (*engine)->shutdown();
  return outcome;
}

} // namespace baley::bench
