// Tests of the pure part of patterns: the body's fields and their errors,
// agreement by JSON value, when a condition holds, and the stats.
#include "runtime/insight/pattern.hpp"

#include <boost/json.hpp>
#include <gtest/gtest.h>

namespace baley::runtime {
namespace {
namespace json = boost::json;

TEST(pattern, a_body_gives_its_fields) {
  auto f = read_pattern_body(json::parse(R"J({"name":"refunds","description":"d",
    "blockId":"b1","condition":".ticket | test(\"refund\")","outcome":{"route":"billing"}})J"));
  ASSERT_TRUE(f) << f.error().message;
  EXPECT_EQ(f->name, "refunds");
  EXPECT_EQ(f->description, "d");
  EXPECT_EQ(f->block_id, "b1");
  EXPECT_EQ(f->condition, ".ticket | test(\"refund\")");
  EXPECT_EQ(f->outcome, json::parse(R"({"route":"billing"})"));
  auto bare = read_pattern_body(json::parse(R"({"name":"n","blockId":"b","condition":"true"})"));
  ASSERT_TRUE(bare);
  EXPECT_TRUE(bare->outcome.is_null());
}

TEST(pattern, a_bad_body_names_the_field) {
  const std::pair<const char*, const char*> cases[] = {
    {R"([1])", "JSON object"},
    {R"({"blockId":"b","condition":"true"})", "name"},
    {R"({"name":"","blockId":"b","condition":"true"})", "name"},
    {R"({"name":"n","description":3,"blockId":"b","condition":"true"})", "description"},
    {R"({"name":"n","condition":"true"})", "blockId"},
    {R"({"name":"n","blockId":"b"})", "condition"},
    {R"({"name":"n","blockId":"b","condition":7})", "condition"},
  };
  for (const auto& [body, field] : cases) {
    auto f = read_pattern_body(json::parse(body));
    ASSERT_FALSE(f) << body;
    EXPECT_EQ(f.error().code, "invalid_pattern");
    EXPECT_NE(f.error().message.find(field), std::string::npos) << body << ": " << f.error().message;
  }
  EXPECT_FALSE(read_pattern_body(json::parse(R"({"name":")" + std::string(201, 'x')
                                             + R"(","blockId":"b","condition":"true"})")));
}

TEST(pattern, agreement_is_equality_by_json_value_and_null_predicts_nothing) {
  EXPECT_TRUE(agrees(json::parse(R"({"a":1,"b":[2]})"), json::parse(R"({"b":[2],"a":1.0})")));
  EXPECT_FALSE(agrees(json::parse(R"("billing")"), json::parse(R"("tech")")));
  EXPECT_FALSE(agrees(json::value(), json::value()));
}

TEST(pattern, a_condition_holds_when_its_first_output_is_true) {
  EXPECT_TRUE(condition_holds({json::value(true)}));
  EXPECT_TRUE(condition_holds({json::value(true), json::value(false)}));
  EXPECT_FALSE(condition_holds({}));
  EXPECT_FALSE(condition_holds({json::value(false)}));
  EXPECT_FALSE(condition_holds({json::value(1)}));
  EXPECT_FALSE(condition_holds({json::value("true")}));
}

TEST(pattern, stats_count_matches_and_keep_the_latest_time) {
  pattern_stats s;
  EXPECT_EQ(pattern_stats_json(s), json::parse(
    R"({"matched":0,"agreed":0,"disagreed":0,"lastMatchedAt":null})"));
  s.add(true, 2000);
  s.add(false, 1000);
  s.add(true, 3000);
  EXPECT_EQ(s.matched, 3u);
  EXPECT_EQ(s.agreed, 2u);
  EXPECT_EQ(s.disagreed, 1u);
  EXPECT_EQ(s.last_matched_at, 3000);
  EXPECT_EQ(pattern_stats_json(s).at("lastMatchedAt"), "1970-01-01T00:00:03.000Z");
}

} // namespace
} // namespace baley::runtime
