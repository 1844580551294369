// The `baley bench` commands' contract (DESIGN.md "Semantics, exactly"): one
// JSON line with the documented keys, values that add up, exit 0; bad
// arguments are usage errors.
#include "process.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>

namespace baley::testing {
namespace {
namespace json = boost::json;

json::object line_of(const process_result& r) {
  EXPECT_EQ(r.exit_code, 0) << r.err << r.out;
  auto parsed = json::parse(r.out);
  EXPECT_TRUE(parsed.is_object()) << r.out;
  return parsed.is_object() ? parsed.as_object() : json::object{};
}

double number(const json::object& o, std::string_view key) {
  EXPECT_TRUE(o.contains(key) && o.at(key).is_number()) << key << " in " << json::serialize(o);
  return o.contains(key) && o.at(key).is_number() ? o.at(key).to_number<double>() : -1;
}

TEST(bench, append_prints_the_documented_keys) {
  temp_dir dir;
  auto line = line_of(run_process(baley({"bench", "append", "--writers", "4", "--events", "2000",
                                         "--value-bytes", "100", "--durability", "buffered",
                                         "--dir", dir.path})));
  for (auto key : {"events_per_s", "p50_ms", "p99_ms", "mean_batch", "baseline_events_per_s",
                   "ratio"})
    EXPECT_GT(number(line, key), 0) << key;
  EXPECT_LE(number(line, "p50_ms"), number(line, "p99_ms"));
  EXPECT_GE(number(line, "mean_batch"), 1);
  EXPECT_NEAR(number(line, "ratio"),
              number(line, "events_per_s") / number(line, "baseline_events_per_s"), 0.01);
  EXPECT_EQ(line.at("writers"), 4);
  EXPECT_EQ(line.at("events"), 2000);
  EXPECT_EQ(line.at("value_bytes"), 100);
  EXPECT_EQ(line.at("durability"), "buffered");
}

TEST(bench, jq_prints_the_sandbox_figures) {
  auto line = line_of(run_process(baley({"bench", "jq", "--evaluations", "400",
                                         "--workers", "1"})));
  EXPECT_EQ(line.at("evaluations"), 400);
  EXPECT_EQ(line.at("workers"), 1);
  for (auto key : {"in_process_us", "sandbox_p50_us", "sandbox_p99_us", "sandbox_evals_per_s",
                   "in_process_evals_per_s"})
    EXPECT_GE(number(line, key), 0) << key;
  EXPECT_LE(number(line, "sandbox_p50_us"), number(line, "sandbox_p99_us"));
  EXPECT_GT(number(line, "sandbox_evals_per_s"), 0);
}

TEST(bench, sse_measures_every_live_event) {
  temp_dir dir;
  auto r = run_process(baley({"bench", "sse", "--streams", "20", "--executions", "4",
                              "--durability", "buffered", "--dir", dir.path}));
  auto line = line_of(r);
  EXPECT_EQ(line.at("streams"), 20);
  EXPECT_EQ(line.at("executions"), 4);
  EXPECT_EQ(line.at("clients_done"), 20) << "every client saw its execution to the end";
  EXPECT_GT(number(line, "events_measured"), 0);
  EXPECT_LE(number(line, "p50_ms"), number(line, "p99_ms"));
  EXPECT_LE(number(line, "p99_ms"), number(line, "max_ms"));
}

// How many decisions the analytics bench gives block 0, and how many of
// them are billing tickets: its data, worked out independently.
std::pair<int, int> block_zero_decisions_and_billing(int decisions, int blocks) {
  int of_block = 0, billing = 0;
  for (int i = 0, made = 0; made < decisions; ++i) {
    if (i % 51 == 50)
      continue;  // a failed execution
    ++made;
    of_block += i % blocks == 0 ? 1 : 0;
    billing += (i % blocks == 0 && (i + i / 7) % 5 == 0) ? 1 : 0;
  }
  return {of_block, billing};
}

TEST(bench, analytics_times_every_route_a_pattern_and_the_rebuild) {
  temp_dir dir;
  auto line = line_of(run_process(baley({"bench", "analytics", "--decisions", "600", "--blocks",
                                         "3", "--requests", "3", "--dir", dir.path})));
  EXPECT_EQ(line.at("decisions"), 600);
  EXPECT_EQ(line.at("failures"), 11);
  EXPECT_GT(number(line, "events"), 4 * 611);  // four per execution, and feedback
  const auto& routes = line.at("routes").as_object();
  for (auto name : {"blocks_hour", "blocks_day", "cost_by_block", "cost_by_model",
                    "cost_by_flow", "failures"}) {
    ASSERT_TRUE(routes.contains(name)) << name;
    EXPECT_GT(number(routes.at(name).as_object(), "p50_us"), 0) << name;
    EXPECT_LE(number(routes.at(name).as_object(), "p50_us"),
              number(routes.at(name).as_object(), "p99_us")) << name;
  }
  const auto& pattern = line.at("pattern").as_object();
  auto [of_block, billing] = block_zero_decisions_and_billing(600, 3);
  EXPECT_EQ(pattern.at("decisions"), of_block);  // 204: failures never land on block 0
  EXPECT_EQ(pattern.at("matched"), billing);
  EXPECT_GT(number(pattern, "matched"), 0);
  const auto& rebuild = line.at("rebuild").as_object();
  EXPECT_EQ(rebuild.at("identical"), true);
  EXPECT_GE(number(rebuild, "events"), number(line, "events"));
  EXPECT_GT(number(rebuild, "eventsPerSecond"), 0);
}

TEST(bench, bad_arguments_are_usage_errors) {
  for (const auto& args : std::vector<std::vector<std::string>>{
         {"bench"}, {"bench", "nothing"}, {"bench", "append", "--writers", "0"},
         {"bench", "jq", "--evaluations", "-3"}, {"bench", "append", "--bogus", "1"},
         {"bench", "analytics", "--decisions", "0"}, {"bench", "analytics", "--blocks", "x"}}) {
    auto r = run_process(baley(args));
    EXPECT_EQ(r.exit_code, 2) << json::serialize(json::value_from(args)) << r.err;
    EXPECT_NE(r.err.find("\"code\":\"usage\""), std::string::npos) << r.err;
  }
}

} // namespace
} // namespace baley::testing
