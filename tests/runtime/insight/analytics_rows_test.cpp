// Tests for runtime/insight/analytics_rows: hours and days, block buckets and
// their feedback counts, usage totals, failures and failure groups as stored.
#include "runtime/insight/analytics_rows.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <string>
#include <vector>

namespace baley::runtime {
namespace {

namespace json = boost::json;

constexpr unix_ms ts = 1'732'802'587'123;    // 2024-11-28T14:03:07.123Z
constexpr unix_ms hour = 1'732'802'400'000;  // 2024-11-28T14:00:00.000Z
constexpr unix_ms day = 1'732'752'000'000;   // 2024-11-28T00:00:00.000Z

decision_record decision(std::int64_t latency_ms = 890, std::int64_t in = 12,
                         std::int64_t out = 30, double cost = 0.25) {
  return {.id = "bx-1",
          .workspace_id = "ws-1",
          .execution_id = "exec-1",
          .flow_id = "flow-1",
          .node_id = "ai",
          .block_id = "blk-1",
          .model = "gpt-4o",
          .tokens_input = in,
          .tokens_output = out,
          .cost = cost,
          .latency_ms = latency_ms,
          .created_at = ts};
}

feedback judged(bool correct) {
  return {.decision_id = "bx-1",
          .workspace_id = "ws-1",
          .correct = correct,
          .category = correct ? "" : "wrong_answer",
          .created_at = ts + 1000};
}

struct counts {
  std::uint64_t with_feedback, correct, incorrect;
  bool operator==(const counts&) const = default;
};
counts counts_of(const block_bucket& b) { return {b.with_feedback, b.correct, b.incorrect}; }

execution_event start_event(trigger_kind kind) {
  return {ts, execution_start{.input = json::object{{"q", "hi"}},
                              .flow_id = "flow-1",
                              .flow_version = 2,
                              .triggered_by = std::string(trigger_kind_name(kind)),
                              .trigger = {.kind = kind},
                              .workspace_id = "ws-1",
                              .block_versions = {{"blk-1", 4}}}};
}

execution_state started(trigger_kind kind) {
  std::vector<execution_event> events{
    start_event(kind),
    {ts + 5, node_start{.node_id = "ai", .block_execution_id = "bx-1",
                        .input = json::object{}}}};
  execution_state s;
  for (const auto& e : events)
    apply(s, e);
  return s;
}

failure failure_at(unix_ms at, std::string error = "attempt 1 of 3",
                   std::string execution_id = "exec-1") {
  return {.workspace_id = "ws-1",
          .execution_id = std::move(execution_id),
          .flow_id = "flow-1",
          .node_id = "ai",
          .block_id = "blk-1",
          .code = "provider_error",
          .error = std::move(error),
          .at = at};
}

// --- hours and days ---

TEST(analytics_rows, hour_of_and_day_of_round_down_in_utc) {
  EXPECT_EQ(hour_of(ts), hour);
  EXPECT_EQ(hour_of(hour), hour);
  EXPECT_EQ(hour_of(hour + hour_ms - 1), hour);
  EXPECT_EQ(hour_of(hour + hour_ms), hour + hour_ms);
  EXPECT_EQ(day_of(ts), day);
  EXPECT_EQ(day_of(day), day);
  EXPECT_EQ(day_of(day - 1), day - day_ms);
  EXPECT_EQ(hour_of(0), 0);
  EXPECT_EQ(day_of(0), 0);
  // Before 1970 they still round down, not toward zero.
  EXPECT_EQ(hour_of(-1), -hour_ms);
  EXPECT_EQ(day_of(-1), -day_ms);
  EXPECT_EQ(hour_of(-hour_ms), -hour_ms);
}

// --- block buckets ---

TEST(analytics_rows, add_decision_counts_usage_and_latency) {
  block_bucket b;
  b.add_decision(decision(890, 12, 30, 0.25));
  b.add_decision(decision(110, 3, 4, 0.5));
  EXPECT_EQ(b.usage.decisions, 2u);
  EXPECT_EQ(b.usage.tokens_input, 15);
  EXPECT_EQ(b.usage.tokens_output, 34);
  EXPECT_DOUBLE_EQ(b.usage.cost, 0.75);
  EXPECT_EQ(b.latency.count(), 2u);
  EXPECT_EQ(b.latency.percentile(50), 110);
  EXPECT_EQ(b.latency.percentile(99), 890);
  EXPECT_EQ(counts_of(b), (counts{0, 0, 0}));
}

TEST(analytics_rows, a_decision_added_with_feedback_counts_it) {
  block_bucket b;
  auto d = decision();
  d.feedback = judged(false);
  b.add_decision(d);
  EXPECT_EQ(counts_of(b), (counts{1, 0, 1}));
}

TEST(analytics_rows, feedback_none_correct_incorrect_none_keeps_counts_exact) {
  block_bucket b;
  b.add_decision(decision());
  b.add_decision(decision());  // a second decision, judged correct throughout
  b.change_feedback(std::nullopt, judged(true));
  EXPECT_EQ(counts_of(b), (counts{1, 1, 0}));

  b.change_feedback(std::nullopt, judged(true));
  EXPECT_EQ(counts_of(b), (counts{2, 2, 0}));
  b.change_feedback(judged(true), judged(false));
  EXPECT_EQ(counts_of(b), (counts{2, 1, 1}));
  b.change_feedback(judged(false), std::nullopt);
  EXPECT_EQ(counts_of(b), (counts{1, 1, 0}));
  // Feedback changes leave the usage alone.
  EXPECT_EQ(b.usage.decisions, 2u);
  EXPECT_EQ(b.latency.count(), 2u);
}

TEST(analytics_rows, feedback_counts_never_go_negative) {
  block_bucket b;
  b.change_feedback(judged(true), std::nullopt);
  EXPECT_EQ(counts_of(b), (counts{0, 0, 0}));
  b.change_feedback(judged(false), judged(true));
  EXPECT_EQ(counts_of(b), (counts{1, 1, 0}));
  b.change_feedback(judged(false), std::nullopt);  // incorrect was already 0
  EXPECT_EQ(counts_of(b), (counts{0, 1, 0}));
  b.change_feedback(std::nullopt, std::nullopt);
  EXPECT_EQ(counts_of(b), (counts{0, 1, 0}));
}

TEST(analytics_rows, merge_adds_every_count) {
  block_bucket a;
  a.add_decision(decision(100, 1, 2, 0.5));
  a.change_feedback(std::nullopt, judged(true));
  block_bucket b;
  b.add_decision(decision(200, 10, 20, 1.0));
  b.add_decision(decision(300, 100, 200, 2.0));
  b.change_feedback(std::nullopt, judged(false));
  a.merge(b);
  EXPECT_EQ(a.usage.decisions, 3u);
  EXPECT_EQ(a.usage.tokens_input, 111);
  EXPECT_EQ(a.usage.tokens_output, 222);
  EXPECT_DOUBLE_EQ(a.usage.cost, 3.5);
  EXPECT_EQ(counts_of(a), (counts{2, 1, 1}));
  EXPECT_EQ(a.latency.count(), 3u);
  EXPECT_EQ(a.latency.percentile(50), 200);
}

TEST(analytics_rows, stored_block_bucket_text) {
  block_bucket b;
  b.add_decision(decision(890, 12, 30, 0.25));
  EXPECT_EQ(serialize_block_bucket(b),
            R"({"decisions":1,"tokensInput":12,"tokensOutput":30,"cost":2.5E-1,)"
            R"("withFeedback":0,"correct":0,"incorrect":0,"latency":[[890,1]]})");
}

TEST(analytics_rows, block_bucket_round_trip_is_byte_identical) {
  block_bucket b;
  b.add_decision(decision(890, 12, 30, 0.25));
  b.add_decision(decision(5'000, 7, 9, 0.125));
  b.add_decision(decision(123'456, 1, 1, 1e-6));
  b.change_feedback(std::nullopt, judged(true));
  b.change_feedback(std::nullopt, judged(false));
  auto text = serialize_block_bucket(b);
  auto back = parse_block_bucket(text);
  EXPECT_EQ(serialize_block_bucket(back), text);
  EXPECT_EQ(back.usage.decisions, 3u);
  EXPECT_EQ(counts_of(back), (counts{2, 1, 1}));
  EXPECT_EQ(back.latency.count(), 3u);
  EXPECT_EQ(serialize_block_bucket(parse_block_bucket(serialize_block_bucket(block_bucket{}))),
            serialize_block_bucket(block_bucket{}));
}

TEST(analytics_rows, a_malformed_block_bucket_parses_empty) {
  auto empty = serialize_block_bucket(block_bucket{});
  for (auto text : {"", "{", "[]", "null", "\"x\""})
    EXPECT_EQ(serialize_block_bucket(parse_block_bucket(text)), empty) << text;
  // Negative counts in a stored row read as 0.
  auto b = parse_block_bucket(R"({"decisions":-3,"withFeedback":-1,"correct":2})");
  EXPECT_EQ(b.usage.decisions, 0u);
  EXPECT_EQ(counts_of(b), (counts{0, 2, 0}));
}

TEST(analytics_rows, block_bucket_json_without_feedback_has_null_accuracy) {
  block_bucket b;
  b.add_decision(decision(890, 12, 30, 0.25));
  auto o = block_bucket_json(b, hour);
  std::vector<std::string> keys;
  for (const auto& kv : o)
    keys.emplace_back(kv.key());
  EXPECT_EQ(keys, (std::vector<std::string>{"start", "decisions", "withFeedback", "correct",
                                            "incorrect", "accuracy", "tokens", "cost",
                                            "latencyMs"}));
  EXPECT_EQ(o.at("start").as_string(), "2024-11-28T14:00:00.000Z");
  EXPECT_EQ(o.at("decisions").to_number<std::int64_t>(), 1);
  EXPECT_EQ(o.at("withFeedback").to_number<std::int64_t>(), 0);
  EXPECT_TRUE(o.at("accuracy").is_null());
  EXPECT_EQ(o.at("tokens"), json::value(json::object{{"input", 12}, {"output", 30}}));
  EXPECT_EQ(o.at("cost").to_number<double>(), 0.25);
  EXPECT_EQ(o.at("latencyMs").at("p50").to_number<std::int64_t>(), 890);
  EXPECT_EQ(o.at("latencyMs").at("p95").to_number<std::int64_t>(), 890);
  EXPECT_EQ(o.at("latencyMs").at("p99").to_number<std::int64_t>(), 890);
}

TEST(analytics_rows, block_bucket_json_accuracy_is_correct_over_with_feedback) {
  block_bucket b;
  for (int i = 0; i < 4; ++i)
    b.add_decision(decision());
  b.change_feedback(std::nullopt, judged(true));
  b.change_feedback(std::nullopt, judged(true));
  b.change_feedback(std::nullopt, judged(false));
  auto o = block_bucket_json(b, std::nullopt);
  EXPECT_FALSE(o.contains("start"));  // the totals
  EXPECT_EQ(o.at("withFeedback").to_number<std::int64_t>(), 3);
  EXPECT_EQ(o.at("correct").to_number<std::int64_t>(), 2);
  EXPECT_EQ(o.at("incorrect").to_number<std::int64_t>(), 1);
  ASSERT_TRUE(o.at("accuracy").is_double());
  EXPECT_DOUBLE_EQ(o.at("accuracy").as_double(), 2.0 / 3.0);
}

TEST(analytics_rows, block_bucket_json_of_an_empty_bucket_has_null_latencies) {
  auto o = block_bucket_json(block_bucket{}, std::nullopt);
  EXPECT_EQ(o.at("decisions").to_number<std::int64_t>(), 0);
  EXPECT_TRUE(o.at("accuracy").is_null());
  for (auto p : {"p50", "p95", "p99"})
    EXPECT_TRUE(o.at("latencyMs").at(p).is_null()) << p;
}

// --- usage totals ---

TEST(analytics_rows, usage_of_a_decision_is_one_decision) {
  auto u = usage_of(decision(890, 12, 30, 0.25));
  EXPECT_EQ(u.decisions, 1u);
  EXPECT_EQ(u.tokens_input, 12);
  EXPECT_EQ(u.tokens_output, 30);
  EXPECT_EQ(u.cost, 0.25);
  u.add(usage_of(decision(1, 8, 2, 0.5)));
  EXPECT_EQ(u.decisions, 2u);
  EXPECT_EQ(u.tokens_input, 20);
  EXPECT_EQ(u.tokens_output, 32);
  EXPECT_EQ(u.cost, 0.75);
}

TEST(analytics_rows, usage_round_trip_and_stored_text) {
  usage_totals u{.decisions = 3, .tokens_input = 40, .tokens_output = 7, .cost = 0.0625};
  auto text = serialize_usage(u);
  EXPECT_EQ(text, R"({"decisions":3,"tokensInput":40,"tokensOutput":7,"cost":6.25E-2})");
  EXPECT_EQ(serialize_usage(parse_usage(text)), text);
  auto back = parse_usage(text);
  EXPECT_EQ(back.decisions, 3u);
  EXPECT_EQ(back.cost, 0.0625);
}

TEST(analytics_rows, malformed_usage_parses_as_zero) {
  for (auto text : {"", "[1]", "nope"}) {
    auto u = parse_usage(text);
    EXPECT_EQ(u.decisions, 0u) << text;
    EXPECT_EQ(u.tokens_input, 0) << text;
    EXPECT_EQ(u.cost, 0) << text;
  }
}

// --- failures ---

TEST(analytics_rows, failure_of_a_test_run_is_nothing) {
  node_error e{.node_id = "ai", .error = "boom", .code = "provider_error"};
  EXPECT_FALSE(failure_of("exec-1", started(trigger_kind::test), e, ts + 10, "blk-1"));
}

TEST(analytics_rows, failure_of_copies_the_execution_and_the_error) {
  node_error e{.node_id = "ai", .error = "attempt 3 of 3", .iteration = 4,
               .code = "provider_error"};
  auto f = failure_of("exec-1", started(trigger_kind::api), e, ts + 10, "blk-1");
  ASSERT_TRUE(f);
  EXPECT_EQ(f->workspace_id, "ws-1");
  EXPECT_EQ(f->execution_id, "exec-1");
  EXPECT_EQ(f->flow_id, "flow-1");
  EXPECT_EQ(f->node_id, "ai");
  EXPECT_EQ(f->iteration, std::optional<std::uint32_t>(4));
  EXPECT_EQ(f->block_id, "blk-1");
  EXPECT_EQ(f->code, "provider_error");
  EXPECT_EQ(f->error, "attempt 3 of 3");
  EXPECT_EQ(f->at, ts + 10);
  EXPECT_EQ(f->occurrence_key(), "ai#4");
  // Other triggers count too.
  for (auto kind : {trigger_kind::webhook, trigger_kind::schedule, trigger_kind::rerun,
                    trigger_kind::cli})
    EXPECT_TRUE(failure_of("exec-1", started(kind), e, ts, "")) << trigger_kind_name(kind);
}

TEST(analytics_rows, occurrence_key_without_iteration_is_the_node) {
  EXPECT_EQ(failure_at(ts).occurrence_key(), "ai");
}

TEST(analytics_rows, failure_round_trip_is_byte_identical) {
  auto f = failure_at(ts, R"(model "gpt-4o" said 429)");
  f.iteration = 2;
  auto text = serialize_failure(f);
  auto back = parse_failure(text);
  ASSERT_TRUE(back);
  EXPECT_EQ(serialize_failure(*back), text);
  EXPECT_EQ(back->workspace_id, "ws-1");
  EXPECT_EQ(back->flow_id, "flow-1");
  EXPECT_EQ(back->block_id, "blk-1");
  EXPECT_EQ(back->iteration, std::optional<std::uint32_t>(2));
  EXPECT_EQ(back->at, ts);
  EXPECT_EQ(back->error, R"(model "gpt-4o" said 429)");
}

TEST(analytics_rows, a_malformed_failure_is_nothing) {
  EXPECT_FALSE(parse_failure(""));
  EXPECT_FALSE(parse_failure("[]"));
  EXPECT_FALSE(parse_failure(R"({"nodeId":"ai","at":"yesterday"})"));
  EXPECT_FALSE(parse_failure(R"({"nodeId":7,"at":"2024-11-28T14:03:07.123Z"})"));
}

// --- failure groups ---

TEST(analytics_rows, failure_group_add_counts_and_keeps_the_first_signature) {
  failure_group g;
  g.add(failure_at(ts + 50, "attempt 1 of 3"));
  g.add(failure_at(ts + 10, "attempt 2 of 3", "exec-2"));
  g.add(failure_at(ts + 90, "attempt 3 of 3", "exec-3"));
  EXPECT_EQ(g.signature, "attempt <n> of <n>");
  EXPECT_EQ(g.code, "provider_error");
  EXPECT_EQ(g.flow_id, "flow-1");
  EXPECT_EQ(g.node_id, "ai");
  EXPECT_EQ(g.block_id, "blk-1");
  EXPECT_EQ(g.count, 3u);
  EXPECT_EQ(g.first_seen, ts + 10);
  EXPECT_EQ(g.last_seen, ts + 90);
  ASSERT_EQ(g.examples.size(), 3u);
  EXPECT_EQ(g.examples[0].execution_id, "exec-3");
  EXPECT_EQ(g.examples[1].execution_id, "exec-1");
  EXPECT_EQ(g.examples[2].execution_id, "exec-2");
}

TEST(analytics_rows, failure_group_keeps_the_five_newest_examples_newest_first) {
  failure_group g;
  for (unix_ms offset : {5, 1, 7, 3, 9, 2, 8})
    g.add(failure_at(ts + offset, "e", "exec-" + std::to_string(offset)));
  EXPECT_EQ(g.count, 7u);
  EXPECT_EQ(g.first_seen, ts + 1);
  EXPECT_EQ(g.last_seen, ts + 9);
  ASSERT_EQ(g.examples.size(), max_failure_examples);
  std::vector<unix_ms> at;
  for (const auto& e : g.examples)
    at.push_back(e.at - ts);
  EXPECT_EQ(at, (std::vector<unix_ms>{9, 8, 7, 5, 3}));
  // An old failure arriving late counts, but is not an example.
  g.add(failure_at(ts - 100, "e", "exec-old"));
  EXPECT_EQ(g.count, 8u);
  EXPECT_EQ(g.first_seen, ts - 100);
  EXPECT_EQ(g.examples.size(), max_failure_examples);
  EXPECT_EQ(g.examples.back().at, ts + 3);
}

TEST(analytics_rows, failure_group_round_trip_is_byte_identical) {
  failure_group g;
  auto with_iteration = failure_at(ts + 1, "attempt 1 of 3", "exec-1");
  with_iteration.iteration = 3;
  g.add(with_iteration);
  for (int i = 2; i <= 7; ++i)
    g.add(failure_at(ts + i, "attempt " + std::to_string(i) + " of 9",
                     "exec-" + std::to_string(i)));
  auto text = serialize_failure_group(g);
  auto back = parse_failure_group(text);
  ASSERT_TRUE(back);
  EXPECT_EQ(serialize_failure_group(*back), text);
  EXPECT_EQ(back->count, 7u);
  EXPECT_EQ(back->first_seen, ts + 1);
  EXPECT_EQ(back->last_seen, ts + 7);
  ASSERT_EQ(back->examples.size(), 5u);
  EXPECT_EQ(back->examples[0].execution_id, "exec-7");
  EXPECT_EQ(back->examples[0].flow_id, "flow-1");  // from the group
  EXPECT_EQ(back->examples[0].block_id, "blk-1");
  // Adding to a parsed group goes on where the stored one left off.
  back->add(failure_at(ts + 100, "attempt 8 of 9", "exec-8"));
  g.add(failure_at(ts + 100, "attempt 8 of 9", "exec-8"));
  EXPECT_EQ(serialize_failure_group(*back), serialize_failure_group(g));

  // A group whose oldest example had an iteration keeps it through the trip.
  failure_group small;
  small.add(with_iteration);
  auto small_text = serialize_failure_group(small);
  EXPECT_NE(small_text.find(R"("iteration":3)"), std::string::npos) << small_text;
  EXPECT_EQ(serialize_failure_group(*parse_failure_group(small_text)), small_text);
}

TEST(analytics_rows, stored_failure_group_text) {
  failure_group g;
  g.add(failure_at(ts, "attempt 1 of 3"));
  EXPECT_EQ(serialize_failure_group(g),
            R"({"signature":"attempt <n> of <n>","code":"provider_error","flowId":"flow-1",)"
            R"("nodeId":"ai","blockId":"blk-1","count":1,"firstSeen":1732802587123,)"
            R"("lastSeen":1732802587123,"examples":[{"executionId":"exec-1","nodeId":"ai",)"
            R"("code":"provider_error","error":"attempt 1 of 3",)"
            R"("at":"2024-11-28T14:03:07.123Z"}]})");
}

TEST(analytics_rows, a_malformed_failure_group_is_nothing) {
  EXPECT_FALSE(parse_failure_group(""));
  EXPECT_FALSE(parse_failure_group("[]"));
  EXPECT_FALSE(parse_failure_group(R"({"signature":5})"));
  EXPECT_FALSE(parse_failure_group(R"({"count":"many"})"));
}

} // namespace
} // namespace baley::runtime
