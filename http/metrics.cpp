// Prometheus text rendering of the server's counters; see metrics.hpp.
#include "http/metrics.hpp"

#include <sstream>

namespace baley::http {
namespace {

// The text format's label escapes: \\, \" and \n for a line feed.
std::string escape_label(std::string_view v) {
  std::string out;
  for (char c : v) {
    if (c == '"' || c == '\\' || c == '\n')
      out.push_back('\\');
    out.push_back(c == '\n' ? 'n' : c);
  }
  return out;
}

template <std::size_t N>
void write_histogram(std::ostringstream& out, std::string_view name, std::string_view help,
                     const storage::histogram_snapshot<N>& h) {
  out << "# HELP " << name << " " << help << "\n# TYPE " << name << " histogram\n";
  for (std::size_t i = 0; i < N; ++i)
    out << name << "_bucket{le=\"" << h.le[i] << "\"} " << h.cumulative[i] << "\n";
  out << name << "_bucket{le=\"+Inf\"} " << h.cumulative[N] << "\n"
      << name << "_sum " << h.sum << "\n"
      << name << "_count " << h.count << "\n";
}

} // namespace

void metrics::observe_request(std::string_view route, int status, double seconds) {
  std::lock_guard lock(mutex_);
  ++requests_[{std::string(route), status}];
  auto& h = latency_[std::string(route)];
  std::size_t i = 0;
  while (i < latency_buckets.size() && seconds > latency_buckets[i])
    ++i;
  ++h.counts[i];
  ++h.count;
  h.sum += seconds;
}

void metrics::execution_finished(std::string_view status) {
  std::lock_guard lock(mutex_);
  ++finished_[std::string(status)];
}

std::string metrics::render(const sources& from) const {
  std::ostringstream out;
  const auto& stats = from.log;
  out << "# HELP baley_log_appends_total Events appended to the log.\n"
         "# TYPE baley_log_appends_total counter\n"
      << "baley_log_appends_total " << stats.events << "\n"
      << "# HELP baley_log_batches_total WriteBatches committed by the log writer.\n"
         "# TYPE baley_log_batches_total counter\n"
      << "baley_log_batches_total " << stats.batches << "\n"
      << "# HELP baley_log_requests_total Append requests answered.\n"
         "# TYPE baley_log_requests_total counter\n"
      << "baley_log_requests_total " << stats.requests << "\n";
  write_histogram(out, "baley_log_commit_seconds",
                  "Time of each committing log write, fsync included.", stats.commit_seconds);
  write_histogram(out, "baley_log_batch_events", "Events per committed WriteBatch.",
                  stats.batch_events);
  out << "# HELP baley_sse_clients Event streams open now.\n"
         "# TYPE baley_sse_clients gauge\n"
      << "baley_sse_clients " << sse_clients_.load() << "\n"
      << "# HELP baley_executions_started_total Executions started by this server.\n"
         "# TYPE baley_executions_started_total counter\n"
      << "baley_executions_started_total " << started_.load() << "\n";
  out << "# HELP baley_breaker_state Circuit breaker per connection and model "
         "(0 closed, 1 open, 2 half-open).\n# TYPE baley_breaker_state gauge\n";
  for (const auto& g : from.breakers)
    out << "baley_breaker_state{connection=\"" << escape_label(g.key.connection_id)
        << "\",model=\"" << escape_label(g.key.model) << "\"} " << static_cast<int>(g.state)
        << "\n";
  out << "# HELP baley_jq_evaluations_total jq evaluations answered by the sandbox.\n"
         "# TYPE baley_jq_evaluations_total counter\n"
      << "baley_jq_evaluations_total " << from.jq.evaluations << "\n"
      << "# HELP baley_jq_limit_exceeded_total jq evaluations stopped at a budget, by limit.\n"
         "# TYPE baley_jq_limit_exceeded_total counter\n"
      << "baley_jq_limit_exceeded_total{limit=\"time\"} " << from.jq.over_time << "\n"
      << "baley_jq_limit_exceeded_total{limit=\"memory\"} " << from.jq.over_memory << "\n"
      << "# HELP baley_jq_cancelled_total jq evaluations stopped by a cancel.\n"
         "# TYPE baley_jq_cancelled_total counter\n"
      << "baley_jq_cancelled_total " << from.jq.cancelled << "\n"
      << "# HELP baley_jq_workers_started_total jq worker processes started.\n"
         "# TYPE baley_jq_workers_started_total counter\n"
      << "baley_jq_workers_started_total " << from.jq.workers_started << "\n"
      << "# HELP baley_jq_workers jq worker processes alive.\n# TYPE baley_jq_workers gauge\n"
      << "baley_jq_workers " << from.jq_workers << "\n"
      << "# HELP baley_jq_queue jq evaluations waiting for a worker.\n"
         "# TYPE baley_jq_queue gauge\n"
      << "baley_jq_queue " << from.jq.queued << "\n"
      << "# HELP baley_jq_running jq evaluations running now.\n# TYPE baley_jq_running gauge\n"
      << "baley_jq_running " << from.jq.running << "\n";
  out << "# HELP baley_node_errors_total Final node errors, by flow, node and code.\n"
         "# TYPE baley_node_errors_total counter\n";
  for (const auto& [key, n] : from.usage.node_errors)
    out << "baley_node_errors_total{flow=\"" << escape_label(std::get<0>(key)) << "\",node=\""
        << escape_label(std::get<1>(key)) << "\",code=\"" << escape_label(std::get<2>(key))
        << "\"} " << n << "\n";
  auto ai_labels = [](const std::pair<std::string, std::string>& key) {
    return "provider=\"" + escape_label(key.first) + "\",model=\"" + escape_label(key.second)
           + "\"";
  };
  out << "# HELP baley_ai_calls_total ai-block provider attempts, by provider, model and "
         "outcome.\n# TYPE baley_ai_calls_total counter\n";
  for (const auto& [key, t] : from.usage.ai)
    out << "baley_ai_calls_total{" << ai_labels(key) << ",outcome=\"ok\"} " << t.ok << "\n"
        << "baley_ai_calls_total{" << ai_labels(key) << ",outcome=\"error\"} " << t.failed
        << "\n";
  out << "# HELP baley_ai_tokens_total Tokens of ai-block calls, by provider, model and "
         "direction.\n# TYPE baley_ai_tokens_total counter\n";
  for (const auto& [key, t] : from.usage.ai)
    out << "baley_ai_tokens_total{" << ai_labels(key) << ",direction=\"input\"} "
        << t.input_tokens << "\n"
        << "baley_ai_tokens_total{" << ai_labels(key) << ",direction=\"output\"} "
        << t.output_tokens << "\n";
  out << "# HELP baley_ai_cost_usd_total Cost of ai-block calls in USD, by provider and "
         "model.\n# TYPE baley_ai_cost_usd_total counter\n";
  for (const auto& [key, t] : from.usage.ai)
    out << "baley_ai_cost_usd_total{" << ai_labels(key) << "} " << t.cost << "\n";
  std::lock_guard lock(mutex_);
  out << "# HELP baley_executions_finished_total Executions that ended, by status.\n"
         "# TYPE baley_executions_finished_total counter\n";
  for (const auto& [status, n] : finished_)
    out << "baley_executions_finished_total{status=\"" << status << "\"} " << n << "\n";
  out << "# HELP baley_http_requests_total HTTP requests by route and status.\n"
         "# TYPE baley_http_requests_total counter\n";
  for (const auto& [key, n] : requests_)
    out << "baley_http_requests_total{route=\"" << escape_label(key.first)
        << "\",status=\"" << key.second << "\"} " << n << "\n";
  out << "# HELP baley_http_request_seconds HTTP request latency by route.\n"
         "# TYPE baley_http_request_seconds histogram\n";
  for (const auto& [route, h] : latency_) {
    std::uint64_t cumulative = 0;
    auto label = escape_label(route);
    for (std::size_t i = 0; i < latency_buckets.size(); ++i) {
      cumulative += h.counts[i];
      out << "baley_http_request_seconds_bucket{route=\"" << label << "\",le=\""
          << latency_buckets[i] << "\"} " << cumulative << "\n";
    }
    cumulative += h.counts.back();
    out << "baley_http_request_seconds_bucket{route=\"" << label << "\",le=\"+Inf\"} "
        << cumulative << "\n"
        << "baley_http_request_seconds_sum{route=\"" << label << "\"} " << h.sum << "\n"
        << "baley_http_request_seconds_count{route=\"" << label << "\"} " << h.count << "\n";
  }
  return out.str();
}

} // namespace baley::http
