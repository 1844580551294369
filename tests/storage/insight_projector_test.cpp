// Tests of the insight projector on a real event log: decision and failure
// rows, as they commit, derive the block, cost and failure analytics rows.
#include "storage/insight_projector.hpp"

#include "runtime/insight/analytics_rows.hpp"
#include "runtime/insight/failure_signature.hpp"
#include "runtime/insight/pattern.hpp"
#include "storage/event_log.hpp"
#include "storage/pattern_projections.hpp"
#include "storage/projections.hpp"
#include "temp_dir.hpp"

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

namespace baley::storage {
namespace {

using namespace runtime;
using testing::temp_dir;

constexpr unix_ms ts = 1'732'802'587'123;  // 2024-11-28T14:03:07.123Z
constexpr unix_ms hour = 1'732'802'400'000;

std::unique_ptr<event_log> open_insight_log(const std::string& dir) {
  auto log = event_log::open({dir, durability::buffered});
  EXPECT_TRUE(log) << (log ? "" : log.error().message);
  if (!log)
    return nullptr;
  (*log)->set_projector(make_insight_projector());
  return std::move(*log);
}

decision_record decision(std::string id, std::optional<std::string> block_id = "blk-1",
                         unix_ms at = ts, std::string model = "gpt-4o") {
  return {.id = std::move(id),
          .workspace_id = "ws-1",
          .execution_id = "exec-1",
          .flow_id = "flow-1",
          .node_id = "ai",
          .block_id = std::move(block_id),
          .block_version = 4,
          .model = std::move(model),
          .input = boost::json::object{{"text", "hello"}},
          .output = "spam",
          .tokens_input = 12,
          .tokens_output = 30,
          .cost = 0.25,
          .latency_ms = 890,
          .ttft_ms = 120,
          .created_at = at};
}

decision_record judged(decision_record d, bool correct) {
  d.feedback = feedback{.decision_id = d.id,
                        .workspace_id = d.workspace_id,
                        .correct = correct,
                        .category = correct ? "" : "wrong_answer",
                        .created_at = d.created_at + 60'000};
  return d;
}

projection_put row(const decision_record& d) {
  return projections::decision(d.id, serialize_decision(d));
}

failure failure_of_node(std::string execution_id, std::string error, unix_ms at = ts,
                        std::string node_id = "ai") {
  return {.workspace_id = "ws-1",
          .execution_id = std::move(execution_id),
          .flow_id = "flow-1",
          .node_id = std::move(node_id),
          .block_id = "blk-1",
          .code = "provider_error",
          .error = std::move(error),
          .at = at};
}

projection_put row(const failure& f) {
  return projections::node_failure(f.workspace_id, f.execution_id, f.occurrence_key(),
                                   serialize_failure(f));
}

// Appends puts with one event on `stream`.
void append(event_log& log, std::vector<projection_put> puts, std::string stream = "exec/1") {
  append_request r;
  r.stream = std::move(stream);
  r.events.push_back(R"({"type":"test"})");
  r.projections = std::move(puts);
  auto appended = log.append(std::move(r));
  ASSERT_TRUE(appended) << appended.error().message;
}

std::optional<std::string> stored(const event_log& log, std::string_view family,
                                  const std::string& key) {
  auto got = log.get_projection(family, key);
  EXPECT_TRUE(got) << (got ? "" : got.error().message);
  return got ? *got : std::nullopt;
}

std::string block_key_of(std::string_view block_key, unix_ms at = hour) {
  return projections::block_bucket_key("ws-1", block_key, hour_of(at));
}

block_bucket bucket(const event_log& log, std::string_view block_key, unix_ms at = hour) {
  auto text = stored(log, families::block_buckets, block_key_of(block_key, at));
  EXPECT_TRUE(text) << "no block bucket for " << block_key;
  return text ? parse_block_bucket(*text) : block_bucket{};
}

std::optional<std::string> cost_row(const event_log& log, std::string_view group,
                                    std::string_view key, unix_ms at = hour) {
  return stored(log, families::cost_buckets,
                projections::cost_bucket_key("ws-1", group, hour_of(at), key));
}

std::map<std::string, std::string> rows(const event_log& log, std::string_view family) {
  std::map<std::string, std::string> out;
  EXPECT_TRUE(log.scan_projection(family, "", [&](std::string_view k, std::string_view v) {
    out.emplace(k, v);
  }));
  return out;
}

TEST(insight_projector, a_new_decision_adds_to_its_block_hour_and_cost_groups) {
  temp_dir dir;
  auto log = open_insight_log(dir.path());
  auto d = decision("bx-1");
  append(*log, {row(d)});

  block_bucket expected;
  expected.add_decision(d);
  EXPECT_EQ(stored(*log, families::block_buckets, block_key_of("blk-1")),
            serialize_block_bucket(expected));
  auto b = bucket(*log, "blk-1");
  EXPECT_EQ(b.usage.decisions, 1u);
  EXPECT_EQ(b.usage.tokens_input, 12);
  EXPECT_EQ(b.usage.tokens_output, 30);
  EXPECT_EQ(b.latency.percentile(50), 890);
  EXPECT_EQ(b.with_feedback, 0u);

  auto usage = serialize_usage(usage_of(d));
  EXPECT_EQ(cost_row(*log, "block", "blk-1"), usage);
  EXPECT_EQ(cost_row(*log, "model", "gpt-4o"), usage);
  EXPECT_EQ(cost_row(*log, "flow", "flow-1"), usage);
  EXPECT_EQ(rows(*log, families::block_buckets).size(), 1u);
  EXPECT_EQ(rows(*log, families::cost_buckets).size(), 3u);
  EXPECT_TRUE(rows(*log, families::failure_buckets).empty());
}

TEST(insight_projector, decisions_of_one_hour_add_up_across_and_within_requests) {
  temp_dir dir;
  auto log = open_insight_log(dir.path());
  append(*log, {row(decision("bx-1")), row(decision("bx-2", "blk-1", ts + 1000, "o3-mini"))});
  append(*log, {row(decision("bx-3", "blk-1", ts + 2000))});
  auto b = bucket(*log, "blk-1");
  EXPECT_EQ(b.usage.decisions, 3u);
  EXPECT_EQ(b.usage.tokens_input, 36);
  EXPECT_DOUBLE_EQ(b.usage.cost, 0.75);
  EXPECT_EQ(b.latency.count(), 3u);
  EXPECT_EQ(parse_usage(*cost_row(*log, "model", "gpt-4o")).decisions, 2u);
  EXPECT_EQ(parse_usage(*cost_row(*log, "model", "o3-mini")).decisions, 1u);
  EXPECT_EQ(parse_usage(*cost_row(*log, "block", "blk-1")).decisions, 3u);
  EXPECT_EQ(parse_usage(*cost_row(*log, "flow", "flow-1")).decisions, 3u);
}

TEST(insight_projector, an_inline_block_and_another_hour_get_their_own_rows) {
  temp_dir dir;
  auto log = open_insight_log(dir.path());
  auto later = ts + hour_ms;
  append(*log, {row(decision("bx-1")), row(decision("bx-2", std::nullopt)),
                row(decision("bx-3", "blk-1", later))});
  EXPECT_EQ(bucket(*log, "blk-1").usage.decisions, 1u);
  EXPECT_EQ(bucket(*log, "flow-1/ai").usage.decisions, 1u);
  EXPECT_EQ(bucket(*log, "blk-1", later).usage.decisions, 1u);
  EXPECT_TRUE(cost_row(*log, "block", "flow-1/ai"));
  EXPECT_EQ(parse_usage(*cost_row(*log, "flow", "flow-1")).decisions, 2u);
  EXPECT_EQ(parse_usage(*cost_row(*log, "flow", "flow-1", later)).decisions, 1u);
  EXPECT_EQ(rows(*log, families::block_buckets).size(), 3u);
}

TEST(insight_projector, feedback_on_a_decision_changes_only_the_feedback_counts) {
  temp_dir dir;
  auto log = open_insight_log(dir.path());
  auto d = decision("bx-1");
  append(*log, {row(d), row(decision("bx-2"))});
  auto costs_before = rows(*log, families::cost_buckets);
  auto before = bucket(*log, "blk-1");

  append(*log, {row(judged(d, true))});
  auto b = bucket(*log, "blk-1");
  EXPECT_EQ(b.usage.decisions, 2u);
  EXPECT_EQ(b.with_feedback, 1u);
  EXPECT_EQ(b.correct, 1u);
  EXPECT_EQ(b.incorrect, 0u);
  EXPECT_EQ(serialize_usage(b.usage), serialize_usage(before.usage));
  EXPECT_EQ(b.latency.to_json(), before.latency.to_json());
  EXPECT_EQ(rows(*log, families::cost_buckets), costs_before);

  append(*log, {row(judged(d, false))});
  b = bucket(*log, "blk-1");
  EXPECT_EQ(b.usage.decisions, 2u);
  EXPECT_EQ(b.with_feedback, 1u);
  EXPECT_EQ(b.correct, 0u);
  EXPECT_EQ(b.incorrect, 1u);
  EXPECT_EQ(rows(*log, families::cost_buckets), costs_before);

  // The same row again changes nothing.
  auto unchanged = stored(*log, families::block_buckets, block_key_of("blk-1"));
  append(*log, {row(judged(d, false))});
  EXPECT_EQ(stored(*log, families::block_buckets, block_key_of("blk-1")), unchanged);
}

TEST(insight_projector, a_decision_and_its_feedback_in_one_batch_count_once) {
  temp_dir dir;
  auto log = open_insight_log(dir.path());
  auto d = decision("bx-1");
  append(*log, {row(d), row(judged(d, true))});
  auto b = bucket(*log, "blk-1");
  EXPECT_EQ(b.usage.decisions, 1u);
  EXPECT_EQ(b.with_feedback, 1u);
  EXPECT_EQ(b.correct, 1u);
  EXPECT_EQ(parse_usage(*cost_row(*log, "block", "blk-1")).decisions, 1u);
}

TEST(insight_projector, rows_that_are_not_decisions_or_failures_derive_nothing) {
  temp_dir dir;
  auto log = open_insight_log(dir.path());
  append(*log, {projections::decision("bx-1", "{}"), projections::decision("bx-2", "not json"),
                projections::node_failure("ws-1", "exec-1", "ai", "[]")});
  projection_put erase{.family = std::string(families::decisions), .key = "bx-3",
                       .erase = true};
  append(*log, {erase});
  EXPECT_TRUE(rows(*log, families::block_buckets).empty());
  EXPECT_TRUE(rows(*log, families::cost_buckets).empty());
  EXPECT_TRUE(rows(*log, families::failure_buckets).empty());
}

TEST(insight_projector, a_failure_adds_to_its_signature_hour_once) {
  temp_dir dir;
  auto log = open_insight_log(dir.path());
  auto f = failure_of_node("exec-1", "attempt 3 of 3");
  auto key = projections::failure_bucket_key("ws-1", hour, "attempt <n> of <n>", "flow-1", "ai");
  append(*log, {row(f)});
  auto text = stored(*log, families::failure_buckets, key);
  ASSERT_TRUE(text);
  failure_group expected;
  expected.add(f);
  EXPECT_EQ(*text, serialize_failure_group(expected));

  // The same failure put again is not counted again.
  append(*log, {row(f)});
  EXPECT_EQ(stored(*log, families::failure_buckets, key), text);

  // Nor twice in one request.
  auto twice = failure_of_node("exec-3", "attempt 1 of 3", ts + 5);
  append(*log, {row(twice), row(twice)}, "exec/3");
  EXPECT_EQ(parse_failure_group(*stored(*log, families::failure_buckets, key))->count, 2u);

  // Another execution failing the same way joins the group.
  append(*log, {row(failure_of_node("exec-2", "attempt 2 of 5", ts + 10))}, "exec/2");
  auto group = parse_failure_group(*stored(*log, families::failure_buckets, key));
  ASSERT_TRUE(group);
  EXPECT_EQ(group->count, 3u);
  EXPECT_EQ(group->first_seen, ts);
  EXPECT_EQ(group->last_seen, ts + 10);
  ASSERT_EQ(group->examples.size(), 3u);
  EXPECT_EQ(group->examples[0].execution_id, "exec-2");
  EXPECT_EQ(group->examples[1].execution_id, "exec-3");
  EXPECT_EQ(group->examples[2].execution_id, "exec-1");
  EXPECT_EQ(rows(*log, families::failure_buckets).size(), 1u);
}

TEST(insight_projector, failures_of_other_nodes_messages_or_hours_group_apart) {
  temp_dir dir;
  auto log = open_insight_log(dir.path());
  append(*log, {row(failure_of_node("exec-1", "attempt 1 of 3")),
                row(failure_of_node("exec-2", "attempt 1 of 3", ts, "other")),
                row(failure_of_node("exec-3", "connection refused")),
                row(failure_of_node("exec-4", "attempt 1 of 3", ts + hour_ms))});
  auto all = rows(*log, families::failure_buckets);
  EXPECT_EQ(all.size(), 4u);
  for (const auto& [key, value] : all) {
    auto group = parse_failure_group(value);
    ASSERT_TRUE(group);
    EXPECT_EQ(group->count, 1u);
  }
  EXPECT_TRUE(stored(*log, families::failure_buckets,
                     projections::failure_bucket_key("ws-1", hour, "connection refused",
                                                     "flow-1", "ai")));
  // Iterations of one node in one execution are separate failures.
  auto first = failure_of_node("exec-5", "attempt 1 of 3");
  first.iteration = 0;
  auto second = first;
  second.iteration = 1;
  append(*log, {row(first), row(second)});
  auto key = projections::failure_bucket_key("ws-1", hour, "attempt <n> of <n>", "flow-1", "ai");
  EXPECT_EQ(parse_failure_group(*stored(*log, families::failure_buckets, key))->count, 3u);
}

TEST(insight_projector, rebuilding_from_the_same_rows_gives_the_same_bytes) {
  temp_dir dir;
  auto log = open_insight_log(dir.path());
  auto d1 = decision("bx-1");
  auto d2 = decision("bx-2", std::nullopt, ts + 5);
  std::vector<std::vector<projection_put>> history = {
    {row(d1)},
    {row(d2), row(failure_of_node("exec-1", "attempt 1 of 3"))},
    {row(judged(d1, true))},
    {row(judged(d2, false)), row(failure_of_node("exec-2", "attempt 2 of 3", ts + 7))},
    {row(judged(d1, false))},
  };
  for (const auto& puts : history)
    append(*log, puts);
  auto blocks = rows(*log, families::block_buckets);
  auto costs = rows(*log, families::cost_buckets);
  auto failures = rows(*log, families::failure_buckets);

  ASSERT_TRUE(log->clear_projections());
  ASSERT_TRUE(rows(*log, families::block_buckets).empty());
  // Replayed in one request this time: the staged reader makes it the same.
  std::vector<projection_put> all;
  for (const auto& puts : history)
    all.insert(all.end(), puts.begin(), puts.end());
  append(*log, all);
  EXPECT_EQ(rows(*log, families::block_buckets), blocks);
  EXPECT_EQ(rows(*log, families::cost_buckets), costs);
  EXPECT_EQ(rows(*log, families::failure_buckets), failures);
}

} // namespace
} // namespace baley::storage

namespace baley::storage {
namespace {

// Pattern stats: the matches of a pattern's latest version, each counted
// once; a version replaced and a pattern deleted count for nothing.
pattern_match match_of(std::string decision, bool agreed, std::uint64_t version = 1,
                       unix_ms at = ts) {
  return {"pat-1", version, std::move(decision), agreed, at};
}

std::vector<projection_put> scan_puts(std::vector<pattern_match> matches) {
  std::vector<projection_put> out;
  pattern_match_puts(pattern_scanned{.pattern_id = "pat-1",
                                     .version = matches.empty() ? 1 : matches[0].version,
                                     .matches = std::move(matches)},
                     out);
  return out;
}

std::vector<projection_put> saved_puts(std::uint64_t version) {
  std::vector<projection_put> out;
  pattern_config_puts(pattern_saved{"pat-1", "ws-1", version, {}}, out);
  return out;
}

versioned_stats stats_row(const event_log& log) {
  auto text = stored(log, families::pattern_stats, "pat-1");
  return text ? parse_versioned_stats(*text) : versioned_stats{};
}

TEST(insight_projector, a_pattern_counts_each_match_of_its_version_once) {
  temp_dir dir;
  auto log = open_insight_log(dir.path());
  append(*log, saved_puts(1), "pattern/pat-1");
  EXPECT_EQ(stats_row(*log).version, 1u);
  EXPECT_EQ(stats_row(*log).stats, pattern_stats{});
  // The same match twice in one batch, then again in a later one (a scan
  // and the live matcher both saw the decision): one count.
  auto first = scan_puts({match_of("d1", true), match_of("d2", false, 1, ts + 5)});
  auto twice = scan_puts({match_of("d1", true)});
  first.insert(first.end(), twice.begin(), twice.end());
  append(*log, first, "system/pattern-matches");
  append(*log, scan_puts({match_of("d1", true), match_of("d3", true, 1, ts - 5)}),
         "system/pattern-matches");
  auto row = stats_row(*log);
  EXPECT_EQ(row.stats.matched, 3u);
  EXPECT_EQ(row.stats.agreed, 2u);
  EXPECT_EQ(row.stats.disagreed, 1u);
  EXPECT_EQ(row.stats.last_matched_at, ts + 5);
}

TEST(insight_projector, a_new_version_starts_at_zero_and_late_matches_of_the_old_count_nothing) {
  temp_dir dir;
  auto log = open_insight_log(dir.path());
  append(*log, saved_puts(1), "pattern/pat-1");
  append(*log, scan_puts({match_of("d1", true)}), "system/pattern-matches");
  // Version 2 and a late chunk of version 1 in the same batch.
  auto batch = saved_puts(2);
  auto late = scan_puts({match_of("d2", true, 1)});
  batch.insert(batch.end(), late.begin(), late.end());
  append(*log, batch, "pattern/pat-1");
  EXPECT_EQ(stats_row(*log).version, 2u);
  EXPECT_EQ(stats_row(*log).stats.matched, 0u);
  append(*log, scan_puts({match_of("d1", false, 2)}), "system/pattern-matches");
  EXPECT_EQ(stats_row(*log).stats.matched, 1u);
  EXPECT_EQ(stats_row(*log).stats.disagreed, 1u);

  std::vector<projection_put> deleted;
  pattern_config_puts(pattern_deleted{"pat-1"}, deleted);
  append(*log, deleted, "pattern/pat-1");
  append(*log, scan_puts({match_of("d9", true, 2)}), "system/pattern-matches");
  EXPECT_FALSE(stored(*log, families::pattern_stats, "pat-1")) << "a deleted pattern has none";
}

TEST(insight_projector, a_decisions_matched_event_takes_its_decisions_off_the_queue) {
  temp_dir dir;
  auto log = open_insight_log(dir.path());
  append(*log, {projections::queued_decision("d1"), projections::queued_decision("d2")});
  std::vector<projection_put> puts;
  pattern_match_puts(decisions_matched{.decision_ids = {"d1"}, .matches = {}}, puts);
  append(*log, puts, "system/pattern-matches");
  EXPECT_FALSE(stored(*log, families::pattern_queue, "d1"));
  EXPECT_TRUE(stored(*log, families::pattern_queue, "d2"));
}

} // namespace
} // namespace baley::storage
