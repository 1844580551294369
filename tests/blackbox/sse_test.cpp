// The SSE stream (API.md "SSE stream"), read byte by byte over a raw socket:
// the exact framing, a finished execution replayed then closed, and clients
// that drop after any event k and come back with Last-Event-ID: k getting
// every event exactly once, in order, whether it was in the log or live.
#include "server_process.hpp"
#include "sse_reader.hpp"
#include "test_flows.hpp"

#include <gtest/gtest.h>

#include <future>
#include <numeric>
#include <regex>
#include <thread>

namespace baley::testing {
namespace {
namespace json = boost::json;
using namespace std::chrono_literals;

class sse : public server_test {
protected:
  header_list auth() const { return {{"Authorization", "Bearer " + server_.admin_token()}}; }
  std::string stream_path(const std::string& id) const {
    return "/api/executions/" + id + "/stream";
  }
  static std::vector<std::uint64_t> range(std::uint64_t from, std::uint64_t to) {
    std::vector<std::uint64_t> v(to - from);
    std::iota(v.begin(), v.end(), from);
    return v;
  }
};

std::string joined(const std::vector<std::string>& problems) {
  std::string out;
  for (const auto& p : problems)
    out += p + "\n";
  return out;
}

TEST_F(sse, framing_is_exact_and_a_finished_execution_replays_then_closes) {
  auto id = api_.start(api_.create_flow(delay_flow(20)), R"({"n":1})");
  api_.wait_terminal(id);
  auto replay = api_.replay(id);
  ASSERT_EQ(replay.size(), 12u);

  auto r = read_stream(server_.port(), stream_path(id), auth());
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_TRUE(r.problems.empty()) << joined(r.problems);
  EXPECT_EQ(r.first_retry, 1000);
  EXPECT_EQ(r.indexes, range(0, 12));
  EXPECT_TRUE(r.done);
  EXPECT_TRUE(r.closed);
  for (std::size_t i = 0; i < r.events.size() && i < replay.size(); ++i)
    EXPECT_EQ(r.events[i], replay[i].at("event")) << "the stream and the replay agree at " << i;

  // Byte for byte: a retry block, then id/data pairs, then [DONE].
  const auto& body = r.body;
  ASSERT_EQ(body.rfind("retry: 1000\n\n", 0), 0u) << body.substr(0, 200);
  static const std::regex message("id: ([0-9]+)\ndata: (\\{[^\n]*\\})\n\n");
  std::size_t at = std::string("retry: 1000\n\n").size();
  for (std::size_t i = 0; i < 12; ++i) {
    std::smatch m;
    auto rest = body.substr(at);
    ASSERT_TRUE(std::regex_search(rest, m, message, std::regex_constants::match_continuous))
      << "message " << i << " is not `id: N\\ndata: {...}\\n\\n`: " << rest.substr(0, 300);
    EXPECT_EQ(m[1].str(), std::to_string(i));
    at += static_cast<std::size_t>(m.length(0));
  }
  EXPECT_EQ(body.substr(at), "data: [DONE]\n\n");
  EXPECT_EQ(body.find("event:"), std::string::npos);
}

TEST_F(sse, a_live_stream_sends_every_event_then_done) {
  auto flow = api_.create_flow(stepped_flow(200));
  auto id = api_.start(flow);
  auto r = read_stream(server_.port(), stream_path(id), auth());
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_TRUE(r.problems.empty()) << joined(r.problems);
  EXPECT_EQ(r.first_retry, 1000);
  EXPECT_EQ(r.indexes, range(0, 12));
  EXPECT_TRUE(r.done);
  ASSERT_FALSE(r.events.empty());
  EXPECT_EQ(string_at(r.events.back(), "type"), "execution_complete");
}

TEST_F(sse, dropping_after_any_event_k_and_resuming_from_k_loses_nothing) {
  // One execution per k, all at once: each client reads events 0..k, drops,
  // comes back with Last-Event-ID: k and reads to the end. With delays in the
  // flow, the second connection starts with events from the log and goes on
  // with live ones.
  constexpr std::uint64_t events = 12;
  auto flow = api_.create_flow(stepped_flow(250));
  std::vector<std::future<std::pair<stream_result, stream_result>>> clients;
  for (std::uint64_t k = 0; k < events; ++k) {
    auto id = api_.start(flow);
    ASSERT_FALSE(id.empty());
    clients.push_back(std::async(std::launch::async, [this, id, k] {
      auto first = read_stream(server_.port(), stream_path(id), auth(), k + 1);
      auto h = auth();
      h.emplace_back("Last-Event-ID", std::to_string(k));
      auto second = read_stream(server_.port(), stream_path(id), h);
      return std::pair{std::move(first), std::move(second)};
    }));
  }
  for (std::uint64_t k = 0; k < events; ++k) {
    SCOPED_TRACE("k = " + std::to_string(k));
    auto [first, second] = clients[k].get();
    EXPECT_EQ(first.status, 200) << first.body;
    EXPECT_EQ(second.status, 200) << second.body;
    EXPECT_TRUE(first.problems.empty()) << joined(first.problems);
    EXPECT_TRUE(second.problems.empty()) << joined(second.problems);
    EXPECT_EQ(second.first_retry, 1000) << "a reconnection starts with retry: too";
    EXPECT_EQ(first.indexes, range(0, k + 1));
    EXPECT_EQ(second.indexes, range(k + 1, events));
    EXPECT_TRUE(second.done);
  }
}

TEST_F(sse, a_client_reconnecting_after_every_message_gets_each_once_in_order) {
  auto id = api_.start(api_.create_flow(stepped_flow(300)));
  auto r = read_with_reconnects(server_.port(), stream_path(id), auth());
  EXPECT_TRUE(r.problems.empty()) << joined(r.problems);
  EXPECT_EQ(r.indexes, range(0, 12));
  EXPECT_TRUE(r.done);
  EXPECT_GE(r.connections, 12);
  EXPECT_EQ(string_at(api_.execution(id), "status"), "completed");
}

TEST_F(sse, last_event_index_query_and_the_header_that_wins) {
  auto id = api_.start(api_.create_flow(delay_flow(20)), R"({"n":1})");
  api_.wait_terminal(id);
  auto from_query = read_stream(server_.port(), stream_path(id) + "?lastEventIndex=3", auth());
  EXPECT_EQ(from_query.status, 200);
  EXPECT_TRUE(from_query.problems.empty()) << joined(from_query.problems);
  EXPECT_EQ(from_query.indexes, range(4, 12));
  EXPECT_TRUE(from_query.done);

  auto h = auth();
  h.emplace_back("Last-Event-ID", "5");
  auto both = read_stream(server_.port(), stream_path(id) + "?lastEventIndex=1", h);
  EXPECT_EQ(both.status, 200);
  EXPECT_EQ(both.indexes, range(6, 12)) << "the header wins over the query";
  EXPECT_TRUE(both.done);

  auto at_end = auth();
  at_end.emplace_back("Last-Event-ID", "11");
  auto nothing_left = read_stream(server_.port(), stream_path(id), at_end);
  EXPECT_EQ(nothing_left.status, 200);
  EXPECT_TRUE(nothing_left.problems.empty()) << joined(nothing_left.problems);
  EXPECT_TRUE(nothing_left.indexes.empty());
  EXPECT_EQ(nothing_left.first_retry, 1000);
  EXPECT_TRUE(nothing_left.done) << nothing_left.body;
}

TEST_F(sse, a_stream_needs_a_token_and_a_known_execution) {
  auto id = api_.start(api_.create_flow(passthrough_flow()));
  api_.wait_terminal(id);
  auto anonymous = read_stream(server_.port(), stream_path(id), {});
  EXPECT_EQ(anonymous.status, 401) << anonymous.body;
  auto unknown = read_stream(server_.port(),
                             stream_path("0190c6a4-3c1e-7000-8000-000000000000"), auth());
  EXPECT_EQ(unknown.status, 404) << unknown.body;
}

TEST_F(sse, many_clients_of_one_execution_each_get_everything) {
  auto id = api_.start(api_.create_flow(stepped_flow(200)));
  std::vector<std::future<stream_result>> clients;
  for (int i = 0; i < 20; ++i)
    clients.push_back(std::async(std::launch::async, [this, id] {
      return read_stream(server_.port(), stream_path(id), auth());
    }));
  for (auto& c : clients) {
    auto r = c.get();
    EXPECT_EQ(r.status, 200);
    EXPECT_TRUE(r.problems.empty()) << joined(r.problems);
    EXPECT_EQ(r.indexes, range(0, 12));
    EXPECT_TRUE(r.done);
  }
}

// An execution whose log is many times the 4 MiB a client may leave unsent
// (3,000 iterations of 1.5 KB, then a 4.5 MB output in one event): the log
// is replayed a chunk at a time as the client takes it, so it arrives whole
// instead of the client being cut off, again at every reconnect.
TEST_F(sse, a_log_larger_than_the_client_queue_replays_whole) {
  auto flow = api_.create_flow(R"json({"name":"wide","nodes":[
    {"id":"in","type":"source"},
    {"id":"each","type":"loop","data":{"over":"[range(3000)]","concurrency":32,"maxIterations":3000,
      "body":{"type":"function-block","code":"[range(400)] | map(tostring) | join(\"-\")"}}},
    {"id":"out","type":"sink"}],
    "edges":[{"source":"in","target":"each"},{"source":"each","target":"out"}]})json");
  auto id = api_.start(flow);
  ASSERT_EQ(string_at(api_.wait_terminal(id, 60s), "status"), "completed");
  auto events = api_.replay(id).size();
  auto r = read_stream(server_.port(), stream_path(id), auth());
  ASSERT_EQ(r.status, 200);
  EXPECT_TRUE(r.problems.empty()) << joined(r.problems);
  EXPECT_GT(r.body.size(), std::size_t{12} << 20);
  EXPECT_EQ(r.indexes, range(0, events));
  EXPECT_TRUE(r.done);
}

// A client that joins a running execution after a thousand events replays
// them a chunk at a time while new ones commit: the switch from the log to
// live loses and repeats nothing.
TEST_F(sse, joining_a_running_execution_mid_log_loses_and_repeats_nothing) {
  auto flow = api_.create_flow(R"json({"name":"busy","nodes":[
    {"id":"in","type":"source"},
    {"id":"each","type":"loop","data":{"over":"[range(4000)]","concurrency":2,"maxIterations":4000,
      "body":{"type":"function-block","code":"[range(100)] | map(tostring) | join(\"-\")"}}},
    {"id":"out","type":"sink"}],
    "edges":[{"source":"in","target":"each"},{"source":"each","target":"out"}]})json");
  auto id = api_.start(flow);
  for (int i = 0; i < 2000 && api_.replay(id).size() < 1000; ++i)
    std::this_thread::sleep_for(5ms);
  auto r = read_stream(server_.port(), stream_path(id), auth());
  ASSERT_EQ(r.status, 200);
  EXPECT_TRUE(r.problems.empty()) << joined(r.problems);
  EXPECT_TRUE(r.done);
  ASSERT_EQ(string_at(api_.wait_terminal(id, 60s), "status"), "completed");
  EXPECT_EQ(r.indexes, range(0, api_.replay(id).size()));
}

} // namespace
} // namespace baley::testing
