// The loop block seen from outside: maxIterations refused before any item
// runs, a failing iteration named in the loop's error, results in item order.
#include "run_flow.hpp"

#include <gtest/gtest.h>

#include <algorithm>

namespace baley::testing {
namespace {
namespace json = boost::json;

TEST(loop, over_more_items_than_max_iterations_fails_before_running_any) {
  auto events = run_flow(R"js({"nodes":[{"id":"in","type":"source"},
    {"id":"each","type":"loop","data":{"over":"[range(5)]","maxIterations":3,
      "body":{"type":"function-block","code":"."}}},
    {"id":"out","type":"sink"}],
    "edges":[{"source":"in","target":"each"},{"source":"each","target":"out"}]})js", 1);
  EXPECT_EQ(count(events, "node_start", "each"), 1) << "no iteration started";
  EXPECT_NE(std::string(events.back().event.at("error").as_string()).find("maxIterations"),
            std::string::npos);
}

TEST(loop, a_failing_iteration_fails_the_loop_and_names_it) {
  auto events = run_flow(R"js({"nodes":[{"id":"in","type":"source"},
    {"id":"each","type":"loop","data":{"over":"[1,2,0,4]","concurrency":2,
      "body":{"type":"function-block","code":"if . == 0 then error(\"zero\") else 10 / . end"}}},
    {"id":"out","type":"sink"}],
    "edges":[{"source":"in","target":"each"},{"source":"each","target":"out"}]})js", 1);
  auto error = std::string(events.back().event.at("error").as_string());
  EXPECT_NE(error.find("iteration 2"), std::string::npos) << error;
  EXPECT_NE(error.find("zero"), std::string::npos) << error;
}

TEST(loop, results_keep_item_order_whatever_the_concurrency) {
  auto events = run_flow(R"js({"nodes":[{"id":"in","type":"source"},
    {"id":"each","type":"loop","data":{"over":"[range(20)]","concurrency":7,
      "body":{"type":"function-block","code":". * 3"}}},
    {"id":"out","type":"sink"}],
    "edges":[{"source":"in","target":"each"},{"source":"each","target":"out"}]})js", 0);
  json::array want;
  for (int i = 0; i < 20; ++i)
    want.push_back(i * 3);
  EXPECT_EQ(events.back().event.at("output"), json::value(want));
  int max_live = 0, live = 0;
  for (const auto& e : events) {
    if (!e.event.contains("iteration"))
      continue;
    live += type_of(e) == "node_start" ? 1 : type_of(e) == "node_complete" ? -1 : 0;
    max_live = std::max(max_live, live);
  }
  EXPECT_LE(max_live, 7);
}

} // namespace
} // namespace baley::testing
