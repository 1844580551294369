// Tests for runtime/insight/decision: decisions derived from folded execution
// state, their stored rows and index rows, feedback events and feedback bodies.
#include "runtime/insight/decision.hpp"

#include "runtime/time_format.hpp"

#include "../execution/fold_events.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <string>
#include <vector>

namespace baley::runtime {
namespace {

namespace json = boost::json;

constexpr unix_ms ts = 1'732'802'587'123;  // 2024-11-28T14:03:07.123Z

using testing::fold;

execution_event start(trigger_kind kind = trigger_kind::api) {
  execution_start e{.input = json::object{{"q", "hi"}},
                    .flow_id = "flow-1",
                    .flow_version = 3,
                    .triggered_by = std::string(trigger_kind_name(kind)),
                    .workspace_id = "ws-1",
                    .block_versions = {{"blk-1", 4}, {"blk-2", 9}}};
  e.trigger.kind = kind;
  return {ts, std::move(e)};
}

// The state just before the ai node's node_complete: started, node running.
execution_state running(trigger_kind kind = trigger_kind::api) {
  return fold({start(kind),
               {ts + 10, node_start{.node_id = "ai", .block_execution_id = "bx-1",
                                    .input = json::object{{"text", "hello"}}}}});
}

node_complete done(std::optional<std::string> model = "gpt-4o") {
  return {.node_id = "ai",
          .output = json::object{{"label", "spam"}},
          .duration_ms = 890,
          .tokens = json::object{{"input", 12}, {"output", 30}},
          .cost = 0.25,
          .model = std::move(model),
          .ttft_ms = 120,
          .tokens_per_second = 40};
}

decision_record derived(std::optional<std::string> block_id = "blk-1") {
  auto d = decision_of("exec-1", running(), done(), ts + 900, std::move(block_id));
  EXPECT_TRUE(d);
  return d ? *d : decision_record{};
}

feedback judgement(bool correct) {
  return {.decision_id = "bx-1",
          .workspace_id = "ws-1",
          .correct = correct,
          .category = correct ? "" : "wrong_answer",
          .corrected_output = correct ? json::value() : json::value(json::object{{"label", "ham"}}),
          .notes = correct ? "" : "it is a newsletter",
          .created_at = ts + 60'000};
}

std::string error_code(const result<decision_record>& r) {
  return r ? std::string("(parsed)") : r.error().code;
}

std::string replaced(std::string text, std::string_view from, std::string_view to) {
  auto at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  if (at != std::string::npos)
    text.replace(at, from.size(), to);
  return text;
}

// --- decision_of ---

TEST(decision, decision_of_copies_the_run_and_its_completion) {
  auto d = derived();
  EXPECT_EQ(d.id, "bx-1");  // the task's blockExecutionId
  EXPECT_EQ(d.workspace_id, "ws-1");
  EXPECT_EQ(d.execution_id, "exec-1");
  EXPECT_EQ(d.flow_id, "flow-1");
  EXPECT_EQ(d.node_id, "ai");
  EXPECT_FALSE(d.iteration);
  EXPECT_EQ(d.block_id, std::optional<std::string>("blk-1"));
  EXPECT_EQ(d.block_version, std::optional<std::uint64_t>(4));  // from execution_start
  EXPECT_EQ(d.model, "gpt-4o");
  EXPECT_EQ(d.input, json::value(json::object{{"text", "hello"}}));  // from node_start
  EXPECT_EQ(d.output, json::value(json::object{{"label", "spam"}}));
  EXPECT_EQ(d.tokens_input, 12);
  EXPECT_EQ(d.tokens_output, 30);
  EXPECT_EQ(d.cost, 0.25);
  EXPECT_EQ(d.latency_ms, 890);
  EXPECT_EQ(d.ttft_ms, std::optional<std::int64_t>(120));
  EXPECT_EQ(d.created_at, ts + 900);
  EXPECT_FALSE(d.feedback);
}

TEST(decision, nothing_without_a_model) {
  EXPECT_FALSE(decision_of("exec-1", running(), done(std::nullopt), ts, "blk-1"));
}

TEST(decision, nothing_in_a_test_run) {
  EXPECT_FALSE(decision_of("exec-1", running(trigger_kind::test), done(), ts, "blk-1"));
  for (auto kind : {trigger_kind::webhook, trigger_kind::schedule, trigger_kind::rerun,
                    trigger_kind::cli})
    EXPECT_TRUE(decision_of("exec-1", running(kind), done(), ts, "blk-1"))
      << trigger_kind_name(kind);
}

TEST(decision, nothing_for_a_node_that_never_started) {
  auto other = done();
  other.node_id = "elsewhere";
  EXPECT_FALSE(decision_of("exec-1", running(), other, ts, std::nullopt));
  auto iteration = done();
  iteration.iteration = 3;  // the node ran, but not as iteration 3
  EXPECT_FALSE(decision_of("exec-1", running(), iteration, ts, std::nullopt));
}

TEST(decision, an_inline_ai_block_has_no_block_and_no_version) {
  auto d = derived(std::nullopt);
  EXPECT_FALSE(d.block_id);
  EXPECT_FALSE(d.block_version);
  EXPECT_EQ(d.block_key(), "flow-1/ai");
}

TEST(decision, a_block_the_execution_did_not_pin_has_no_version) {
  auto d = derived("blk-unknown");
  EXPECT_EQ(d.block_id, std::optional<std::string>("blk-unknown"));
  EXPECT_FALSE(d.block_version);
  EXPECT_EQ(derived("blk-2").block_version, std::optional<std::uint64_t>(9));
}

TEST(decision, block_key_is_the_block_id_when_there_is_one) {
  EXPECT_EQ(derived("blk-1").block_key(), "blk-1");
}

TEST(decision, an_iteration_is_kept_with_its_own_run) {
  auto state = fold({start(),
                     {ts + 10, node_start{.node_id = "ai", .block_execution_id = "bx-it-1",
                                          .input = json::object{{"item", 1}},
                                          .iteration = 1}},
                     {ts + 11, node_start{.node_id = "ai", .block_execution_id = "bx-it-2",
                                          .input = json::object{{"item", 2}},
                                          .iteration = 2}}});
  auto second = done();
  second.iteration = 2;
  auto d = decision_of("exec-1", state, second, ts + 500, "blk-1");
  ASSERT_TRUE(d);
  EXPECT_EQ(d->id, "bx-it-2");
  EXPECT_EQ(d->iteration, std::optional<std::uint32_t>(2));
  EXPECT_EQ(d->input, json::value(json::object{{"item", 2}}));
}

TEST(decision, missing_or_bad_usage_reads_as_zero) {
  auto bare = done();
  bare.tokens = nullptr;
  bare.cost.reset();
  bare.ttft_ms.reset();
  auto d = decision_of("exec-1", running(), bare, ts, "blk-1");
  ASSERT_TRUE(d);
  EXPECT_EQ(d->tokens_input, 0);
  EXPECT_EQ(d->tokens_output, 0);
  EXPECT_EQ(d->cost, 0);
  EXPECT_FALSE(d->ttft_ms);

  auto odd = done();
  odd.tokens = json::object{{"input", -5}, {"output", "many"}};
  d = decision_of("exec-1", running(), odd, ts, "blk-1");
  ASSERT_TRUE(d);
  EXPECT_EQ(d->tokens_input, 0);
  EXPECT_EQ(d->tokens_output, 0);
}

// --- the stored row ---

TEST(decision, stored_row_text) {
  EXPECT_EQ(serialize_decision(derived()),
            R"({"id":"bx-1","executionId":"exec-1","flowId":"flow-1","nodeId":"ai",)"
            R"("blockId":"blk-1","blockVersion":4,"model":"gpt-4o","input":{"text":"hello"},)"
            R"("output":{"label":"spam"},"tokens":{"input":12,"output":30},"cost":2.5E-1,)"
            R"("latencyMs":890,"ttftMs":120,"createdAt":"2024-11-28T14:03:08.023Z",)"
            R"("feedback":null,"workspaceId":"ws-1"})");
}

TEST(decision, round_trip_without_feedback_is_byte_identical) {
  auto text = serialize_decision(derived());
  auto parsed = parse_decision(text);
  ASSERT_TRUE(parsed) << parsed.error().message;
  EXPECT_EQ(serialize_decision(*parsed), text);
  EXPECT_EQ(parsed->id, "bx-1");
  EXPECT_EQ(parsed->workspace_id, "ws-1");
  EXPECT_EQ(parsed->block_version, std::optional<std::uint64_t>(4));
  EXPECT_EQ(parsed->ttft_ms, std::optional<std::int64_t>(120));
  EXPECT_EQ(parsed->created_at, ts + 900);
  EXPECT_FALSE(parsed->feedback);
}

TEST(decision, round_trip_with_feedback_is_byte_identical) {
  for (bool correct : {true, false}) {
    auto d = derived();
    d.feedback = judgement(correct);
    auto text = serialize_decision(d);
    auto parsed = parse_decision(text);
    ASSERT_TRUE(parsed) << parsed.error().message;
    EXPECT_EQ(serialize_decision(*parsed), text);
    ASSERT_TRUE(parsed->feedback);
    EXPECT_EQ(*parsed->feedback, judgement(correct));
  }
}

TEST(decision, round_trip_of_an_inline_iteration_without_ttft_is_byte_identical) {
  auto d = derived(std::nullopt);
  d.iteration = 7;
  d.ttft_ms.reset();
  d.cost = 0;
  d.input = json::array{1, "two", nullptr};
  d.output = "plain text";
  auto text = serialize_decision(d);
  EXPECT_NE(text.find(R"("iteration":7,"blockId":null,"blockVersion":null)"),
            std::string::npos) << text;
  auto parsed = parse_decision(text);
  ASSERT_TRUE(parsed) << parsed.error().message;
  EXPECT_EQ(serialize_decision(*parsed), text);
  EXPECT_EQ(parsed->iteration, std::optional<std::uint32_t>(7));
  EXPECT_FALSE(parsed->block_id);
  EXPECT_FALSE(parsed->ttft_ms);
  EXPECT_EQ(parsed->block_key(), "flow-1/ai");
}

TEST(decision, parse_decision_refuses_what_is_not_an_object) {
  for (auto text : {"", "{", "[]", "null", "42", "\"bx-1\""})
    EXPECT_EQ(error_code(parse_decision(text)), "invalid_decision") << text;
}

TEST(decision, parse_decision_refuses_a_bad_created_at) {
  auto text = serialize_decision(derived());
  EXPECT_EQ(error_code(parse_decision(
              replaced(text, R"("createdAt":"2024-11-28T14:03:08.023Z")",
                       R"("createdAt":"yesterday")"))),
            "invalid_decision");
  EXPECT_EQ(error_code(parse_decision(
              replaced(text, R"("createdAt":"2024-11-28T14:03:08.023Z")",
                       R"("createdAt":1732802588023)"))),
            "invalid_decision");
  EXPECT_EQ(error_code(parse_decision(R"({"id":"bx-1"})")), "invalid_decision");
}

TEST(decision, parse_decision_refuses_wrong_kinds_and_a_missing_id) {
  auto text = serialize_decision(derived());
  EXPECT_EQ(error_code(parse_decision(replaced(text, R"("id":"bx-1")", R"("id":"")"))),
            "invalid_decision");
  EXPECT_EQ(error_code(parse_decision(replaced(text, R"("model":"gpt-4o")", R"("model":4)"))),
            "invalid_decision");
  EXPECT_EQ(error_code(parse_decision(
              replaced(text, R"("tokens":{"input":12,)", R"("tokens":{"input":"12",)"))),
            "invalid_decision");
  // A feedback with a bad createdAt is not one.
  auto d = derived();
  d.feedback = judgement(true);
  auto with_feedback = serialize_decision(d);
  EXPECT_EQ(error_code(parse_decision(replaced(with_feedback,
                                               R"("createdAt":"2024-11-28T14:04:07.123Z")",
                                               R"("createdAt":"soon")"))),
            "invalid_decision");
}

// --- the index row ---

TEST(decision, index_row_text_and_round_trip) {
  auto d = derived();
  auto text = serialize_decision_index(d);
  EXPECT_EQ(text, R"({"blockKey":"blk-1","flowId":"flow-1","model":"gpt-4o",)"
                  R"("at":1732802588023,"feedback":"none"})");
  auto index = parse_decision_index(text);
  ASSERT_TRUE(index);
  EXPECT_EQ(index->block_key, "blk-1");
  EXPECT_EQ(index->flow_id, "flow-1");
  EXPECT_EQ(index->model, "gpt-4o");
  EXPECT_EQ(index->at, ts + 900);
  EXPECT_EQ(index->feedback, "none");

  auto inline_block = parse_decision_index(serialize_decision_index(derived(std::nullopt)));
  ASSERT_TRUE(inline_block);
  EXPECT_EQ(inline_block->block_key, "flow-1/ai");
}

TEST(decision, index_row_feedback_state_follows_the_latest_feedback) {
  auto d = derived();
  EXPECT_EQ(parse_decision_index(serialize_decision_index(d))->feedback, "none");
  d.feedback = judgement(true);
  EXPECT_EQ(parse_decision_index(serialize_decision_index(d))->feedback, "correct");
  d.feedback = judgement(false);
  EXPECT_EQ(parse_decision_index(serialize_decision_index(d))->feedback, "incorrect");
}

TEST(decision, a_malformed_index_row_is_nothing) {
  EXPECT_FALSE(parse_decision_index(""));
  EXPECT_FALSE(parse_decision_index("[]"));
  EXPECT_FALSE(parse_decision_index(R"({"blockKey":1})"));
  EXPECT_FALSE(parse_decision_index(R"({"at":"2024-11-28T14:03:08.023Z"})"));
}

// --- feedback ---

TEST(decision, feedback_json_has_the_api_fields_with_nulls) {
  auto o = feedback_json(judgement(true));
  std::vector<std::string> keys;
  for (const auto& kv : o)
    keys.emplace_back(kv.key());
  EXPECT_EQ(keys, (std::vector<std::string>{"decisionId", "correct", "category",
                                            "correctedOutput", "notes", "createdAt"}));
  EXPECT_EQ(o.at("decisionId").as_string(), "bx-1");
  EXPECT_EQ(o.at("correct").as_bool(), true);
  EXPECT_TRUE(o.at("category").is_null());
  EXPECT_TRUE(o.at("correctedOutput").is_null());
  EXPECT_TRUE(o.at("notes").is_null());
  EXPECT_EQ(o.at("createdAt").as_string(), "2024-11-28T14:04:07.123Z");
}

TEST(decision, feedback_event_text_and_round_trip) {
  auto full = judgement(false);
  auto text = serialize_feedback_event(full);
  EXPECT_EQ(text, R"({"type":"feedback_given","ts":"2024-11-28T14:04:07.123Z",)"
                  R"("decisionId":"bx-1","workspaceId":"ws-1","correct":false,)"
                  R"("category":"wrong_answer","correctedOutput":{"label":"ham"},)"
                  R"("notes":"it is a newsletter"})");
  auto parsed = parse_feedback_event(text);
  ASSERT_TRUE(parsed) << parsed.error().message;
  EXPECT_EQ(*parsed, full);
  EXPECT_EQ(serialize_feedback_event(*parsed), text);

  // Empty category and notes and a null correction are left out, and come back.
  auto bare = judgement(true);
  auto bare_text = serialize_feedback_event(bare);
  EXPECT_EQ(bare_text, R"({"type":"feedback_given","ts":"2024-11-28T14:04:07.123Z",)"
                       R"("decisionId":"bx-1","workspaceId":"ws-1","correct":true})");
  auto bare_parsed = parse_feedback_event(bare_text);
  ASSERT_TRUE(bare_parsed) << bare_parsed.error().message;
  EXPECT_EQ(*bare_parsed, bare);
}

TEST(decision, a_malformed_feedback_event_is_invalid_event) {
  for (auto text : {
         "", "[]",
         R"({"type":"node_start","ts":"2024-11-28T14:04:07.123Z","correct":true})",
         R"({"type":"feedback_given","ts":"later","correct":true})",
         R"({"type":"feedback_given","correct":true})",
         R"({"type":"feedback_given","ts":"2024-11-28T14:04:07.123Z","correct":"yes"})",
       }) {
    auto parsed = parse_feedback_event(text);
    ASSERT_FALSE(parsed) << text;
    EXPECT_EQ(parsed.error().code, "invalid_event") << text;
  }
}

std::string body_error(std::string_view body) {
  auto read = read_feedback_body(json::parse(body));
  return read ? std::string("(accepted)") : read.error().code;
}

TEST(decision, read_feedback_body_needs_a_boolean_correct) {
  for (auto body : {R"({})", R"({"correct":"true"})", R"({"correct":1})",
                    R"({"correct":null})", R"([true])", R"("correct")", "true"})
    EXPECT_EQ(body_error(body), "invalid_feedback") << body;
}

TEST(decision, read_feedback_body_false_needs_a_category) {
  for (auto body : {R"({"correct":false})", R"({"correct":false,"category":""})",
                    R"({"correct":false,"category":null})",
                    R"({"correct":false,"notes":"wrong"})"})
    EXPECT_EQ(body_error(body), "invalid_feedback") << body;
  EXPECT_EQ(body_error(R"({"correct":false,"category":"wrong_answer"})"), "(accepted)");
}

TEST(decision, read_feedback_body_category_and_notes_must_be_strings) {
  for (auto body : {R"({"correct":true,"category":5})",
                    R"({"correct":false,"category":["wrong_answer"]})",
                    R"({"correct":true,"notes":7})",
                    R"({"correct":false,"category":"tone","notes":{"a":1}})"})
    EXPECT_EQ(body_error(body), "invalid_feedback") << body;
}

TEST(decision, read_feedback_body_reads_every_field) {
  auto read = read_feedback_body(json::parse(
    R"({"correct":false,"category":"hallucination","correctedOutput":{"label":"ham"},)"
    R"("notes":"made it up"})"));
  ASSERT_TRUE(read) << read.error().message;
  EXPECT_FALSE(read->correct);
  EXPECT_EQ(read->category, "hallucination");
  EXPECT_EQ(read->corrected_output, json::value(json::object{{"label", "ham"}}));
  EXPECT_EQ(read->notes, "made it up");
  // The decision, workspace and time are the caller's to fill in.
  EXPECT_EQ(read->decision_id, "");
  EXPECT_EQ(read->created_at, 0);

  auto bare = read_feedback_body(json::parse(R"({"correct":true,"notes":null})"));
  ASSERT_TRUE(bare) << bare.error().message;
  EXPECT_TRUE(bare->correct);
  EXPECT_EQ(bare->category, "");
  EXPECT_EQ(bare->notes, "");
  EXPECT_TRUE(bare->corrected_output.is_null());
}

} // namespace
} // namespace baley::runtime
