// Analytics rows: counting, merging and their stored JSON.
#include "runtime/insight/analytics_rows.hpp"

#include "runtime/json_fields.hpp"
#include "runtime/json_text.hpp"
#include "runtime/insight/failure_signature.hpp"
#include "runtime/time_format.hpp"

#include <boost/json/serialize.hpp>

#include <algorithm>

namespace baley::runtime {
namespace json = boost::json;
namespace {

std::uint64_t count_field(json_fields& r, std::string_view key) {
  auto n = r.integer(key);
  return n < 0 ? 0 : static_cast<std::uint64_t>(n);
}

void put_usage(json::object& o, const usage_totals& u) {
  o["decisions"] = u.decisions;
  o["tokensInput"] = u.tokens_input;
  o["tokensOutput"] = u.tokens_output;
  o["cost"] = u.cost;
}

usage_totals read_usage(json_fields& r) {
  return {.decisions = count_field(r, "decisions"),
          .tokens_input = r.integer("tokensInput"),
          .tokens_output = r.integer("tokensOutput"),
          .cost = r.number("cost", 0)};
}

json::object failure_example_json(const failure& f) {
  json::object o{{"executionId", f.execution_id},
                 {"nodeId", f.node_id},
                 {"code", f.code},
                 {"error", f.error},
                 {"at", format_rfc3339_ms(f.at)}};
  if (f.iteration)
    o["iteration"] = *f.iteration;
  return o;
}

} // namespace

unix_ms hour_of(unix_ms at) {
  auto r = at % hour_ms;
  return at - (r < 0 ? r + hour_ms : r);
}

unix_ms day_of(unix_ms at) {
  auto r = at % day_ms;
  return at - (r < 0 ? r + day_ms : r);
}

void usage_totals::add(const usage_totals& other) {
  decisions += other.decisions;
  tokens_input += other.tokens_input;
  tokens_output += other.tokens_output;
  cost += other.cost;
}

usage_totals usage_of(const decision_record& d) {
  return {.decisions = 1,
          .tokens_input = d.tokens_input,
          .tokens_output = d.tokens_output,
          .cost = d.cost};
}

void block_bucket::add_decision(const decision_record& d) {
  usage.add(usage_of(d));
  latency.add(d.latency_ms);
  change_feedback(std::nullopt, d.feedback);
}

void block_bucket::change_feedback(const std::optional<feedback>& before,
                                   const std::optional<feedback>& after) {
  if (before) {
    with_feedback -= with_feedback > 0;
    auto& side = before->correct ? correct : incorrect;
    side -= side > 0;
  }
  if (after) {
    ++with_feedback;
    ++(after->correct ? correct : incorrect);
  }
}

void block_bucket::merge(const block_bucket& other) {
  usage.add(other.usage);
  with_feedback += other.with_feedback;
  correct += other.correct;
  incorrect += other.incorrect;
  latency.merge(other.latency);
}

std::string serialize_block_bucket(const block_bucket& b) {
  json::object o;
  put_usage(o, b.usage);
  o["withFeedback"] = b.with_feedback;
  o["correct"] = b.correct;
  o["incorrect"] = b.incorrect;
  o["latency"] = b.latency.to_json();
  return json::serialize(o);
}

block_bucket parse_block_bucket(std::string_view stored) {
  block_bucket b;
  auto object = parse_stored_object(stored);
  if (!object)
    return b;
  json_fields r{*object};
  b.usage = read_usage(r);
  b.with_feedback = count_field(r, "withFeedback");
  b.correct = count_field(r, "correct");
  b.incorrect = count_field(r, "incorrect");
  b.latency = latency_histogram::from_json(r.val("latency"));
  return b;
}

json::object block_bucket_json(const block_bucket& b, std::optional<unix_ms> start) {
  json::object o;
  if (start)
    o["start"] = format_rfc3339_ms(*start);
  o["decisions"] = b.usage.decisions;
  o["withFeedback"] = b.with_feedback;
  o["correct"] = b.correct;
  o["incorrect"] = b.incorrect;
  o["accuracy"] = b.with_feedback == 0
                    ? json::value()
                    : json::value(static_cast<double>(b.correct)
                                  / static_cast<double>(b.with_feedback));
  o["tokens"] = {{"input", b.usage.tokens_input}, {"output", b.usage.tokens_output}};
  o["cost"] = b.usage.cost;
  auto percentile = [&](double p) {
    auto v = b.latency.percentile(p);
    return v ? json::value(*v) : json::value();
  };
  o["latencyMs"] = {{"p50", percentile(50)}, {"p95", percentile(95)}, {"p99", percentile(99)}};
  return o;
}

std::string serialize_usage(const usage_totals& u) {
  json::object o;
  put_usage(o, u);
  return json::serialize(o);
}

usage_totals parse_usage(std::string_view stored) {
  auto object = parse_stored_object(stored);
  if (!object)
    return {};
  json_fields r{*object};
  return read_usage(r);
}

std::string failure::occurrence_key() const {
  return iteration ? node_id + "#" + std::to_string(*iteration) : node_id;
}

std::optional<failure> failure_of(const std::string& execution_id, const execution_state& before,
                                  const node_error& e, unix_ms ts, std::string block_id) {
  if (before.trigger.kind == trigger_kind::test)
    return std::nullopt;
  return failure{.workspace_id = before.workspace_id,
                 .execution_id = execution_id,
                 .flow_id = before.flow_id,
                 .node_id = e.node_id,
                 .iteration = e.iteration,
                 .block_id = std::move(block_id),
                 .code = e.code,
                 .error = e.error,
                 .at = ts};
}

std::string serialize_failure(const failure& f) {
  auto o = failure_example_json(f);
  o["workspaceId"] = f.workspace_id;
  o["flowId"] = f.flow_id;
  o["blockId"] = f.block_id;
  return json::serialize(o);
}

namespace {
std::optional<failure> failure_from(const json::object& o) {
  json_fields r{o};
  failure f{.workspace_id = r.str("workspaceId"),
            .execution_id = r.str("executionId"),
            .flow_id = r.str("flowId"),
            .node_id = r.str("nodeId"),
            .iteration = r.opt_u32("iteration"),
            .block_id = r.str("blockId"),
            .code = r.str("code"),
            .error = r.str("error")};
  auto at = parse_rfc3339_ms(r.str("at"));
  if (!at || !r.problem.empty())
    return std::nullopt;
  f.at = *at;
  return f;
}
} // namespace

std::optional<failure> parse_failure(std::string_view stored) {
  auto object = parse_stored_object(stored);
  if (!object)
    return std::nullopt;
  return failure_from(*object);
}

void failure_group::add(const failure& f) {
  if (count == 0) {
    signature = failure_signature(f.error);
    code = f.code;
    flow_id = f.flow_id;
    node_id = f.node_id;
    block_id = f.block_id;
    first_seen = f.at;
  }
  ++count;
  first_seen = std::min(first_seen, f.at);
  last_seen = std::max(last_seen, f.at);
  examples.insert(examples.begin(), f);
  std::stable_sort(examples.begin(), examples.end(),
                   [](const failure& a, const failure& b) { return a.at > b.at; });
  if (examples.size() > max_failure_examples)
    examples.resize(max_failure_examples);
}

std::string serialize_failure_group(const failure_group& g) {
  json::array examples;
  for (const auto& e : g.examples)
    examples.push_back(failure_example_json(e));
  return json::serialize(json::object{{"signature", g.signature},
                                      {"code", g.code},
                                      {"flowId", g.flow_id},
                                      {"nodeId", g.node_id},
                                      {"blockId", g.block_id},
                                      {"count", g.count},
                                      {"firstSeen", g.first_seen},
                                      {"lastSeen", g.last_seen},
                                      {"examples", std::move(examples)}});
}

std::optional<failure_group> parse_failure_group(std::string_view stored) {
  auto object = parse_stored_object(stored);
  if (!object)
    return std::nullopt;
  json_fields r{*object};
  failure_group g{.signature = r.str("signature"),
                  .code = r.str("code"),
                  .flow_id = r.str("flowId"),
                  .node_id = r.str("nodeId"),
                  .block_id = r.str("blockId"),
                  .count = count_field(r, "count"),
                  .first_seen = r.integer("firstSeen"),
                  .last_seen = r.integer("lastSeen")};
  if (auto* examples = r.present("examples"); examples && examples->is_array())
    for (const auto& e : examples->get_array())
      if (e.is_object())
        if (auto f = failure_from(e.get_object())) {
          f->flow_id = g.flow_id;
          f->block_id = g.block_id;
          g.examples.push_back(std::move(*f));
        }
  if (!r.problem.empty())
    return std::nullopt;
  return g;
}

} // namespace baley::runtime
