// Operations routes from outside: /healthz, every /metrics series of API.md
// ("Operations") with values that match what happened, GET / serving the web
// page, and the SSE `: ping` comment at the interval --sse-ping-ms sets.
#include "server_process.hpp"
#include "sse_client.hpp"
#include "test_flows.hpp"

#include <gtest/gtest.h>

#include <map>
#include <sstream>

namespace baley::testing {
namespace {
namespace json = boost::json;
using namespace std::chrono_literals;

// Every sample line of a Prometheus text page: "name{labels}" -> value.
std::map<std::string, double> samples(const std::string& page) {
  std::map<std::string, double> out;
  std::istringstream lines(page);
  for (std::string line; std::getline(lines, line);) {
    if (line.empty() || line[0] == '#')
      continue;
    auto space = line.rfind(' ');
    out[line.substr(0, space)] = std::stod(line.substr(space + 1));
  }
  return out;
}

class ops : public server_test {};

TEST_F(ops, metrics_has_every_series_with_values_that_add_up) {
  auto id = api_.start(api_.create_flow(doubling_flow()), R"({"n":2})");
  ASSERT_EQ(api_.wait_terminal(id).at("status"), "completed");
  auto r = api_.get("/metrics");
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.headers.get("content-type"), "text/plain; version=0.0.4; charset=utf-8");
  auto m = samples(r.body);
  EXPECT_GE(m["baley_log_appends_total"], 8) << "an execution's 8 events at least";
  EXPECT_GE(m["baley_log_batches_total"], 1);
  EXPECT_EQ(m["baley_log_commit_seconds_count"], m["baley_log_batches_total"]);
  EXPECT_EQ(m["baley_log_batch_events_sum"], m["baley_log_appends_total"]);
  EXPECT_EQ(m["baley_log_commit_seconds_bucket{le=\"+Inf\"}"], m["baley_log_batches_total"]);
  EXPECT_EQ(m["baley_executions_started_total"], 1);
  EXPECT_EQ(m["baley_executions_finished_total{status=\"completed\"}"], 1);
  EXPECT_EQ(m["baley_sse_clients"], 0);
  EXPECT_GE(m["baley_http_requests_total{route=\"POST /api/flows/{id}/execute\",status=\"202\"}"],
            1);
  EXPECT_GE(m["baley_http_request_seconds_count{route=\"POST /api/flows\"}"], 1);
  EXPECT_EQ(m["baley_jq_evaluations_total"], 1) << "the doubling node's one program";
  EXPECT_EQ(m["baley_jq_limit_exceeded_total{limit=\"time\"}"], 0);
  EXPECT_EQ(m["baley_jq_limit_exceeded_total{limit=\"memory\"}"], 0);
  EXPECT_GE(m["baley_jq_workers"], 1);
  EXPECT_EQ(m["baley_jq_queue"], 0);
  for (auto name : {"baley_log_requests_total", "baley_jq_cancelled_total",
                    "baley_jq_workers_started_total", "baley_jq_running"})
    EXPECT_TRUE(m.count(name)) << name;
  EXPECT_NE(r.body.find("# TYPE baley_breaker_state gauge"), std::string::npos);
}

TEST_F(ops, metrics_count_a_live_sse_client_and_a_stopped_jq_program) {
  auto flow = api_.create_flow(jq_flow("def f: f; f", 200));
  auto slow = api_.start(api_.create_flow(delay_flow(5'000)), R"({"n":1})");
  sse_stream stream(server_.port(), "/api/executions/" + slow + "/stream",
                    {{"Authorization", "Bearer " + server_.admin_token()}});
  ASSERT_EQ(stream.status(), 200);
  ASSERT_TRUE(stream.next(5s));  // the retry line: the feed is open
  api_.wait_terminal(api_.start(flow));
  auto m = samples(api_.get("/metrics").body);
  EXPECT_EQ(m["baley_sse_clients"], 1);
  EXPECT_EQ(m["baley_jq_limit_exceeded_total{limit=\"time\"}"], 1);
  EXPECT_EQ(m["baley_executions_finished_total{status=\"failed\"}"], 1);
}

TEST_F(ops, the_root_serves_the_web_page) {
  auto r = api_client(server_.url(), "").get("/");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.headers.get("content-type").value_or("").rfind("text/html", 0), 0u);
  EXPECT_NE(r.body.find("Baley"), std::string::npos);
}

TEST_F(ops, healthz_answers_ok_without_a_token) {
  auto r = api_client(server_.url(), "").get("/healthz");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.json(), (json::object{{"status", "ok"}}));
}

TEST(ops_ping, a_stream_gets_a_ping_comment_at_the_set_interval) {
  server_process server({"--durability", "buffered", "--sse-ping-ms", "200"});
  ASSERT_TRUE(server.start()) << server.diagnostics();
  auto api = server.admin();
  auto id = api.start(api.create_flow(delay_flow(10'000)), R"({"n":1})");
  sse_stream stream(server.port(), "/api/executions/" + id + "/stream",
                    {{"Authorization", "Bearer " + server.admin_token()}});
  ASSERT_EQ(stream.status(), 200);
  int pings = 0;
  auto began = std::chrono::steady_clock::now();
  while (pings < 3 && std::chrono::steady_clock::now() - began < 10s) {
    auto item = stream.next(2s);
    ASSERT_TRUE(item) << "the stream went quiet: no ping within 2 s";
    if (item->what == sse_item::kind::comment) {
      EXPECT_EQ(item->data, " ping") << "the comment's text after the colon";
      ++pings;
    }
  }
  EXPECT_EQ(pings, 3);
  EXPECT_LT(std::chrono::steady_clock::now() - began, 5s) << "every 200 ms, not every 15 s";
  EXPECT_NE(stream.body().find("\n: ping\n\n"), std::string::npos) << "framed as a comment";
  EXPECT_EQ(api.post("/api/executions/" + id + "/cancel", std::nullopt).status, 200);
}

} // namespace
} // namespace baley::testing
