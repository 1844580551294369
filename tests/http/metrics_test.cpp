// Tests of the /metrics text: every series line for given counters, latency
// buckets cumulative with le inclusive and +Inf, label values escaped.
#include "http/metrics.hpp"

#include <gtest/gtest.h>

#include "storage/histogram.hpp"

#include <sstream>
#include <string>
#include <vector>

namespace baley::http {
namespace {

// The lines of `text` that start with `prefix`, each ending in '\n'.
std::string lines_starting(const std::string& text, std::string_view prefix) {
  std::istringstream in(text);
  std::string out;
  for (std::string line; std::getline(in, line);)
    if (std::string_view(line).substr(0, prefix.size()) == prefix)
      out += line + "\n";
  return out;
}

// The bucket lines of baley_http_request_seconds for `route`: cumulative
// counts for le 0.0005 ... 5 and then +Inf.
std::string http_buckets(std::string_view route, const std::vector<int>& cumulative) {
  static const char* les[] = {"0.0005", "0.001", "0.0025", "0.005", "0.01", "0.025", "0.05",
                              "0.1",    "0.25",  "0.5",    "1",     "5",    "+Inf"};
  EXPECT_EQ(cumulative.size(), std::size(les));
  std::string out;
  for (std::size_t i = 0; i < cumulative.size() && i < std::size(les); ++i)
    out += "baley_http_request_seconds_bucket{route=\"" + std::string(route) + "\",le=\""
           + les[i] + "\"} " + std::to_string(cumulative[i]) + "\n";
  return out;
}

std::string render(const metrics& m, std::vector<actors::breaker_board::gauge> breakers = {}) {
  return m.render({.log = {}, .breakers = std::move(breakers)});
}

TEST(metrics, renders_every_series_for_given_counters) {
  storage::writer_stats log;
  log.batches = 2;
  log.events = 3;
  log.requests = 4;
  storage::histogram_recorder commit(storage::commit_seconds_bounds);
  commit.observe(0.0003);
  commit.observe(2);
  log.commit_seconds = commit.snapshot();
  storage::histogram_recorder batch(storage::batch_events_bounds);
  batch.observe(1);
  batch.observe(2);
  log.batch_events = batch.snapshot();

  metrics m;
  m.sse_opened();
  m.sse_opened();
  m.sse_closed();
  for (int i = 0; i < 3; ++i)
    m.execution_started();
  m.execution_finished("failed");
  m.execution_finished("completed");
  m.execution_finished("completed");
  m.observe_request("GET /api/flows", 200, 0.003);
  m.observe_request("GET /api/flows", 200, 0.2);
  m.observe_request("GET /api/flows", 404, 0.0005);
  m.observe_request("unmatched", 404, 7);

  sandbox::jq_pool_stats jq{.evaluations = 7, .over_time = 1, .over_memory = 2, .cancelled = 3,
                            .workers_started = 4, .queued = 5, .running = 6};
  std::vector<actors::breaker_board::gauge> breakers = {
    {{"c1", "gpt-4o"}, runtime::breaker_state::open},
    {{"c2", "m"}, runtime::breaker_state::half_open},
    {{"c3", "m"}, runtime::breaker_state::closed}};
  actors::usage_meter usage;
  usage.node_failed("f1", "n\"1", "jq_error");
  usage.ai_call("openai", "gpt-4o", true, 10, 4, 0.25);
  usage.ai_call("openai", "gpt-4o", false, 0, 0, 0);
  auto text = m.render(
    {.log = log, .breakers = breakers, .jq = jq, .jq_workers = 2, .usage = usage.read()});

  EXPECT_EQ(text,
    "# HELP baley_log_appends_total Events appended to the log.\n"
    "# TYPE baley_log_appends_total counter\n"
    "baley_log_appends_total 3\n"
    "# HELP baley_log_batches_total WriteBatches committed by the log writer.\n"
    "# TYPE baley_log_batches_total counter\n"
    "baley_log_batches_total 2\n"
    "# HELP baley_log_requests_total Append requests answered.\n"
    "# TYPE baley_log_requests_total counter\n"
    "baley_log_requests_total 4\n"
    "# HELP baley_log_commit_seconds Time of each committing log write, fsync included.\n"
    "# TYPE baley_log_commit_seconds histogram\n"
    "baley_log_commit_seconds_bucket{le=\"0.0001\"} 0\n"
    "baley_log_commit_seconds_bucket{le=\"0.00025\"} 0\n"
    "baley_log_commit_seconds_bucket{le=\"0.0005\"} 1\n"
    "baley_log_commit_seconds_bucket{le=\"0.001\"} 1\n"
    "baley_log_commit_seconds_bucket{le=\"0.0025\"} 1\n"
    "baley_log_commit_seconds_bucket{le=\"0.005\"} 1\n"
    "baley_log_commit_seconds_bucket{le=\"0.01\"} 1\n"
    "baley_log_commit_seconds_bucket{le=\"0.025\"} 1\n"
    "baley_log_commit_seconds_bucket{le=\"0.05\"} 1\n"
    "baley_log_commit_seconds_bucket{le=\"0.1\"} 1\n"
    "baley_log_commit_seconds_bucket{le=\"0.25\"} 1\n"
    "baley_log_commit_seconds_bucket{le=\"0.5\"} 1\n"
    "baley_log_commit_seconds_bucket{le=\"1\"} 1\n"
    "baley_log_commit_seconds_bucket{le=\"+Inf\"} 2\n"
    "baley_log_commit_seconds_sum 2.0003\n"
    "baley_log_commit_seconds_count 2\n"
    "# HELP baley_log_batch_events Events per committed WriteBatch.\n"
    "# TYPE baley_log_batch_events histogram\n"
    "baley_log_batch_events_bucket{le=\"1\"} 1\n"
    "baley_log_batch_events_bucket{le=\"2\"} 2\n"
    "baley_log_batch_events_bucket{le=\"4\"} 2\n"
    "baley_log_batch_events_bucket{le=\"8\"} 2\n"
    "baley_log_batch_events_bucket{le=\"16\"} 2\n"
    "baley_log_batch_events_bucket{le=\"32\"} 2\n"
    "baley_log_batch_events_bucket{le=\"64\"} 2\n"
    "baley_log_batch_events_bucket{le=\"128\"} 2\n"
    "baley_log_batch_events_bucket{le=\"256\"} 2\n"
    "baley_log_batch_events_bucket{le=\"+Inf\"} 2\n"
    "baley_log_batch_events_sum 3\n"
    "baley_log_batch_events_count 2\n"
    "# HELP baley_sse_clients Event streams open now.\n"
    "# TYPE baley_sse_clients gauge\n"
    "baley_sse_clients 1\n"
    "# HELP baley_executions_started_total Executions started by this server.\n"
    "# TYPE baley_executions_started_total counter\n"
    "baley_executions_started_total 3\n"
    "# HELP baley_breaker_state Circuit breaker per connection and model "
    "(0 closed, 1 open, 2 half-open).\n"
    "# TYPE baley_breaker_state gauge\n"
    "baley_breaker_state{connection=\"c1\",model=\"gpt-4o\"} 1\n"
    "baley_breaker_state{connection=\"c2\",model=\"m\"} 2\n"
    "baley_breaker_state{connection=\"c3\",model=\"m\"} 0\n"
    "# HELP baley_jq_evaluations_total jq evaluations answered by the sandbox.\n"
    "# TYPE baley_jq_evaluations_total counter\n"
    "baley_jq_evaluations_total 7\n"
    "# HELP baley_jq_limit_exceeded_total jq evaluations stopped at a budget, by limit.\n"
    "# TYPE baley_jq_limit_exceeded_total counter\n"
    "baley_jq_limit_exceeded_total{limit=\"time\"} 1\n"
    "baley_jq_limit_exceeded_total{limit=\"memory\"} 2\n"
    "# HELP baley_jq_cancelled_total jq evaluations stopped by a cancel.\n"
    "# TYPE baley_jq_cancelled_total counter\n"
    "baley_jq_cancelled_total 3\n"
    "# HELP baley_jq_workers_started_total jq worker processes started.\n"
    "# TYPE baley_jq_workers_started_total counter\n"
    "baley_jq_workers_started_total 4\n"
    "# HELP baley_jq_workers jq worker processes alive.\n"
    "# TYPE baley_jq_workers gauge\n"
    "baley_jq_workers 2\n"
    "# HELP baley_jq_queue jq evaluations waiting for a worker.\n"
    "# TYPE baley_jq_queue gauge\n"
    "baley_jq_queue 5\n"
    "# HELP baley_jq_running jq evaluations running now.\n"
    "# TYPE baley_jq_running gauge\n"
    "baley_jq_running 6\n"
    "# HELP baley_node_errors_total Final node errors, by flow, node and code.\n"
    "# TYPE baley_node_errors_total counter\n"
    "baley_node_errors_total{flow=\"f1\",node=\"n\\\"1\",code=\"jq_error\"} 1\n"
    "# HELP baley_ai_calls_total ai-block provider attempts, by provider, model and outcome.\n"
    "# TYPE baley_ai_calls_total counter\n"
    "baley_ai_calls_total{provider=\"openai\",model=\"gpt-4o\",outcome=\"ok\"} 1\n"
    "baley_ai_calls_total{provider=\"openai\",model=\"gpt-4o\",outcome=\"error\"} 1\n"
    "# HELP baley_ai_tokens_total Tokens of ai-block calls, by provider, model and direction.\n"
    "# TYPE baley_ai_tokens_total counter\n"
    "baley_ai_tokens_total{provider=\"openai\",model=\"gpt-4o\",direction=\"input\"} 10\n"
    "baley_ai_tokens_total{provider=\"openai\",model=\"gpt-4o\",direction=\"output\"} 4\n"
    "# HELP baley_ai_cost_usd_total Cost of ai-block calls in USD, by provider and model.\n"
    "# TYPE baley_ai_cost_usd_total counter\n"
    "baley_ai_cost_usd_total{provider=\"openai\",model=\"gpt-4o\"} 0.25\n"
    "# HELP baley_executions_finished_total Executions that ended, by status.\n"
    "# TYPE baley_executions_finished_total counter\n"
    "baley_executions_finished_total{status=\"completed\"} 2\n"
    "baley_executions_finished_total{status=\"failed\"} 1\n"
    "# HELP baley_http_requests_total HTTP requests by route and status.\n"
    "# TYPE baley_http_requests_total counter\n"
    "baley_http_requests_total{route=\"GET /api/flows\",status=\"200\"} 2\n"
    "baley_http_requests_total{route=\"GET /api/flows\",status=\"404\"} 1\n"
    "baley_http_requests_total{route=\"unmatched\",status=\"404\"} 1\n"
    "# HELP baley_http_request_seconds HTTP request latency by route.\n"
    "# TYPE baley_http_request_seconds histogram\n"
    + http_buckets("GET /api/flows", {1, 1, 1, 2, 2, 2, 2, 2, 3, 3, 3, 3, 3}) +
    "baley_http_request_seconds_sum{route=\"GET /api/flows\"} 0.2035\n"
    "baley_http_request_seconds_count{route=\"GET /api/flows\"} 3\n"
    + http_buckets("unmatched", {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}) +
    "baley_http_request_seconds_sum{route=\"unmatched\"} 7\n"
    "baley_http_request_seconds_count{route=\"unmatched\"} 1\n");
}

TEST(metrics, a_latency_on_a_bucket_bound_counts_in_that_bucket) {
  metrics m;
  m.observe_request("r", 200, 0.001);  // le="0.001"
  m.observe_request("r", 200, 5);      // le="5"
  m.observe_request("r", 200, 5.0001);  // only +Inf
  m.observe_request("r", 200, 0);      // the first bucket
  auto buckets = lines_starting(render(m), "baley_http_request_seconds_bucket");
  EXPECT_EQ(buckets, http_buckets("r", {1, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 3, 4}));
  EXPECT_EQ(lines_starting(render(m), "baley_http_request_seconds_count"),
            "baley_http_request_seconds_count{route=\"r\"} 4\n");
}

TEST(metrics, nothing_observed_leaves_the_labelled_series_empty) {
  metrics m;
  auto text = render(m);
  EXPECT_EQ(lines_starting(text, "baley_http_request"), "");
  EXPECT_EQ(lines_starting(text, "baley_executions_finished_total"), "");
  EXPECT_EQ(lines_starting(text, "baley_breaker_state"), "");
  EXPECT_EQ(lines_starting(text, "baley_sse_clients"), "baley_sse_clients 0\n");
  EXPECT_EQ(lines_starting(text, "baley_executions_started_total"),
            "baley_executions_started_total 0\n");
  // Each family is still declared, so a scraper knows its type.
  EXPECT_NE(text.find("# TYPE baley_http_request_seconds histogram\n"), std::string::npos);
  EXPECT_NE(text.find("# TYPE baley_breaker_state gauge\n"), std::string::npos);
}

TEST(metrics, quotes_and_backslashes_in_label_values_are_escaped) {
  metrics m;
  m.observe_request("GET /a\"b\\c", 200, 0.001);
  auto text = render(m, {{{"conn\"1", "C:\\model"}, runtime::breaker_state::closed}});
  EXPECT_EQ(lines_starting(text, "baley_http_requests_total{"),
            "baley_http_requests_total{route=\"GET /a\\\"b\\\\c\",status=\"200\"} 1\n");
  EXPECT_EQ(lines_starting(text, "baley_breaker_state{"),
            "baley_breaker_state{connection=\"conn\\\"1\",model=\"C:\\\\model\"} 0\n");
}

TEST(metrics, a_newline_in_a_label_value_is_escaped_as_backslash_n) {
  // Prometheus text format: label values escape \ " and line feed as \\ \" \n.
  // Two distinct values must not render as one series.
  metrics m;
  m.observe_request("a\nb", 200, 0.001);
  m.observe_request("a b", 200, 0.001);
  auto text = render(m, {{{"c\n", "m"}, runtime::breaker_state::open}});
  EXPECT_EQ(lines_starting(text, "baley_http_requests_total{"),
            "baley_http_requests_total{route=\"a\\nb\",status=\"200\"} 1\n"
            "baley_http_requests_total{route=\"a b\",status=\"200\"} 1\n");
  EXPECT_EQ(lines_starting(text, "baley_breaker_state{"),
            "baley_breaker_state{connection=\"c\\n\",model=\"m\"} 1\n");
}

} // namespace
} // namespace baley::http
