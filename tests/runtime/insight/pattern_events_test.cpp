// Tests of the pattern matcher's events, its match rows and stats rows, and
// of the program that matches a condition over many inputs at once (run
// in-process here: the sandbox runs the same text).
#include "runtime/insight/pattern_events.hpp"

#include "runtime/insight/pattern.hpp"
#include "runtime/jq/jq_program.hpp"

#include <boost/json.hpp>
#include <gtest/gtest.h>

namespace baley::runtime {
namespace {
namespace json = boost::json;

constexpr unix_ms ts = 1'732'802'587'123;

TEST(pattern_events, both_events_read_back_as_written) {
  decisions_matched live{.decision_ids = {"d1", "d2"},
                         .matches = {{"p1", 3, "d1", true, ts}, {"p2", 1, "d1", false, ts}}};
  auto text = serialize_pattern_match_event(ts, live);
  auto parsed = parse_pattern_match_event(text);
  ASSERT_TRUE(parsed) << parsed.error().message;
  EXPECT_EQ(std::get<decisions_matched>(*parsed), live);
  EXPECT_EQ(json::parse(text).at("type"), "decisions_matched");

  pattern_scanned scan{.pattern_id = "p1",
                       .version = 2,
                       .decisions = 1000,
                       .matches = {{"p1", 2, "d7", false, ts - 1}},
                       .done = true,
                       .error = "the condition stopped the scan: limit"};
  text = serialize_pattern_match_event(ts, scan);
  parsed = parse_pattern_match_event(text);
  ASSERT_TRUE(parsed) << parsed.error().message;
  EXPECT_EQ(std::get<pattern_scanned>(*parsed), scan);
  EXPECT_FALSE(json::parse(text).at("matches").at(0).as_object().contains("patternId"))
    << "a scan names its pattern once";
}

TEST(pattern_events, what_is_not_one_of_them_is_refused) {
  for (const char* bad : {R"([1])", R"({"type":"node_start"})",
                          R"({"type":"decisions_matched","matches":[]})",
                          R"({"type":"decisions_matched","decisionIds":[1],"matches":[]})",
                          R"({"type":"pattern_scanned","version":1,"matches":[]})",
                          R"({"type":"pattern_scanned","patternId":"p","matches":[{"decisionId":"d"}]})"}) {
    auto parsed = parse_pattern_match_event(bad);
    ASSERT_FALSE(parsed) << bad;
    EXPECT_EQ(parsed.error().code, "invalid_event");
  }
}

TEST(pattern_events, a_match_row_is_the_api_item) {
  pattern_match m{"p1", 4, "d1", true, ts};
  EXPECT_EQ(json::parse(serialize_match_row(m)),
            json::parse(R"({"decisionId":"d1","agreed":true,"createdAt":"2024-11-28T14:03:07.123Z"})"));
  auto back = parse_match_row(serialize_match_row(m));
  ASSERT_TRUE(back);
  EXPECT_EQ(back->decision_id, "d1");
  EXPECT_TRUE(back->agreed);
  EXPECT_EQ(back->created_at, ts);
  EXPECT_FALSE(parse_match_row(R"({"decisionId":"d1"})"));
}

TEST(pattern_events, a_stats_row_keeps_its_version) {
  versioned_stats row{.version = 7};
  row.stats.add(true, ts);
  row.stats.add(false, ts + 9);
  auto back = parse_versioned_stats(serialize_versioned_stats(row));
  EXPECT_EQ(back.version, 7u);
  EXPECT_EQ(back.stats, row.stats);
  EXPECT_EQ(parse_versioned_stats("not json").version, 0u);
}

std::vector<bool> matched(const std::string& condition, const std::string& inputs) {
  auto program = jq_program::compile(match_program(condition));
  EXPECT_TRUE(program) << program.error().message;
  if (!program)
    return {};
  auto array = json::parse(inputs);
  auto outputs = (*program)->run(array);
  EXPECT_TRUE(outputs) << outputs.error().message;
  if (!outputs)
    return {};
  auto held = read_match_results(*outputs, array.as_array().size());
  EXPECT_TRUE(held) << held.error().message;
  return held ? *held : std::vector<bool>{};
}

TEST(pattern_events, the_match_program_answers_one_boolean_per_input) {
  EXPECT_EQ(matched(R"(.kind == "billing")", R"([{"kind":"billing"},{"kind":"bug"},{}])"),
            (std::vector<bool>{true, false, false}));
  // The first output decides; an error, no output or a non-boolean is no match.
  EXPECT_EQ(matched(R"(.n + 1 > 1)", R"([{"n":1},{"n":"x"},{"n":0}])"),
            (std::vector<bool>{true, false, false}));
  EXPECT_EQ(matched("true, false", "[1]"), std::vector<bool>{true});
  EXPECT_EQ(matched("false, true", "[1]"), std::vector<bool>{false});
  EXPECT_EQ(matched("empty", "[1]"), std::vector<bool>{false});
  EXPECT_EQ(matched(".", R"(["true", 1, true])"), (std::vector<bool>{false, false, true}));
  EXPECT_EQ(matched("true # a comment", "[1, 2]"), (std::vector<bool>{true, true}));
  EXPECT_EQ(matched("true", "[]"), std::vector<bool>{});
}

TEST(pattern_events, match_results_of_another_shape_are_an_error) {
  EXPECT_FALSE(read_match_results({json::parse("[true]"), json::parse("[true]")}, 1));
  EXPECT_FALSE(read_match_results({json::parse("[true, 1]")}, 2));
  EXPECT_FALSE(read_match_results({json::parse("[true]")}, 2));
  EXPECT_FALSE(read_match_results({json::parse("true")}, 1));
}

} // namespace
} // namespace baley::runtime
