// The rows the analytics projections keep (API.md, "Analytics"): per block
// and hour, per cost group and hour, per failure signature and hour. Each is
// changed as a decision or a failure commits and merged when read.
#pragma once

#include "runtime/insight/decision.hpp"
#include "runtime/insight/latency_histogram.hpp"

#include <boost/json/object.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace baley::runtime {

inline constexpr unix_ms hour_ms = 3'600'000;
inline constexpr unix_ms day_ms = 24 * hour_ms;

// The start of the hour (or day) that holds `at`, UTC.
unix_ms hour_of(unix_ms at);
unix_ms day_of(unix_ms at);

struct usage_totals {
  std::uint64_t decisions = 0;
  std::int64_t tokens_input = 0;
  std::int64_t tokens_output = 0;
  double cost = 0;

  void add(const usage_totals& other);
};
usage_totals usage_of(const decision_record& d);

// One block's decisions in one hour.
struct block_bucket {
  usage_totals usage;
  std::uint64_t with_feedback = 0;
  std::uint64_t correct = 0;
  std::uint64_t incorrect = 0;
  latency_histogram latency;

  void add_decision(const decision_record& d);
  // The decision's latest feedback went from `before` to `after`.
  void change_feedback(const std::optional<feedback>& before,
                       const std::optional<feedback>& after);
  void merge(const block_bucket& other);
};
std::string serialize_block_bucket(const block_bucket& b);
block_bucket parse_block_bucket(std::string_view stored);  // malformed: empty
// {"start"?,"decisions","withFeedback","correct","incorrect","accuracy",
//  "tokens":{"input","output"},"cost","latencyMs":{"p50","p95","p99"}};
// `start` is left out when nothing is given (the totals).
boost::json::object block_bucket_json(const block_bucket& b, std::optional<unix_ms> start);

std::string serialize_usage(const usage_totals& u);
usage_totals parse_usage(std::string_view stored);  // malformed: zero

// A final node_error outside a test run.
struct failure {
  std::string workspace_id;
  std::string execution_id;
  std::string flow_id;
  std::string node_id;
  std::optional<std::uint32_t> iteration;
  std::string block_id;  // empty: not a stored block
  std::string code;
  std::string error;
  unix_ms at = 0;

  // Its key among the execution's failures: nodeId, or nodeId#iteration.
  std::string occurrence_key() const;
};
// The failure `e` records, judged on the state before it: nothing in a test
// run. `block_id` is the node's data.blockId, if any.
std::optional<failure> failure_of(const std::string& execution_id, const execution_state& before,
                                  const node_error& e, unix_ms ts, std::string block_id);
std::string serialize_failure(const failure& f);
std::optional<failure> parse_failure(std::string_view stored);

inline constexpr std::size_t max_failure_examples = 5;

// The failures of one signature, flow and node in one hour.
struct failure_group {
  std::string signature;
  std::string code;
  std::string flow_id;
  std::string node_id;
  std::string block_id;
  std::uint64_t count = 0;
  unix_ms first_seen = 0;
  unix_ms last_seen = 0;
  std::vector<failure> examples;  // the latest, newest first

  void add(const failure& f);
};
std::string serialize_failure_group(const failure_group& g);
std::optional<failure_group> parse_failure_group(std::string_view stored);

} // namespace baley::runtime
