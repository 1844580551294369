// Listing executions (API.md "Conventions", "Executions"): filters by flow
// and status, newest first even within one millisecond, pages of 50 by
// default, cursors that walk every item once.
#include "server_process.hpp"
#include "test_flows.hpp"

#include <gtest/gtest.h>

namespace baley::testing {
namespace {
namespace json = boost::json;

class execution_lists : public server_test {};

TEST_F(execution_lists, list_filters_by_flow_and_status_newest_first_with_cursors) {
  auto a = api_.create_flow(doubling_flow("a"));
  auto b = api_.create_flow(passthrough_flow("b"));
  std::vector<std::string> started;  // in start order
  for (auto [flow, input] : {std::pair{a, R"({"n":1})"}, {a, R"({"n":[1]})"}, {b, "{}"},
                             {a, R"({"n":2})"}}) {
    started.push_back(api_.start(flow, input));
    api_.wait_terminal(started.back());
  }
  auto failed = started[1];

  auto ids_of = [](const json::array& items) {
    std::vector<std::string> ids;
    for (const auto& i : items)
      ids.push_back(string_at(i, "id"));
    return ids;
  };
  auto all = api_.get("/api/executions");
  ASSERT_EQ(all.status, 200) << all.body;
  auto listed = all.json();
  EXPECT_EQ(ids_of(listed.at("items").as_array()),
            (std::vector<std::string>{started[3], started[2], started[1], started[0]}));
  EXPECT_TRUE(listed.at("nextCursor").is_null());
  for (const auto& item : listed.at("items").as_array()) {
    EXPECT_FALSE(string_at(item, "flowId").empty()) << item;
    EXPECT_FALSE(string_at(item, "status").empty()) << item;
  }

  EXPECT_EQ(ids_of(api_.list_all("/api/executions?flowId=" + a)),
            (std::vector<std::string>{started[3], started[1], started[0]}));
  EXPECT_EQ(ids_of(api_.list_all("/api/executions?status=failed")),
            (std::vector<std::string>{failed}));
  EXPECT_EQ(ids_of(api_.list_all("/api/executions?flowId=" + a + "&status=completed")),
            (std::vector<std::string>{started[3], started[0]}));
  EXPECT_TRUE(api_.list_all("/api/executions?flowId=" + b + "&status=failed").empty());
  EXPECT_TRUE(api_.list_all("/api/executions?status=running").empty());

  // limit=1: four pages, in order, then no cursor.
  std::vector<std::string> paged;
  std::string cursor;
  for (int page = 0; page < 10; ++page) {
    auto r = api_.get("/api/executions?limit=1" + (cursor.empty() ? "" : "&cursor=" + cursor));
    ASSERT_EQ(r.status, 200) << r.body;
    auto items = r.json().at("items").as_array();
    EXPECT_LE(items.size(), 1u);
    for (auto& id : ids_of(items))
      paged.push_back(id);
    auto next = r.json().at("nextCursor");
    if (next.is_null())
      break;
    cursor = std::string(next.as_string());
  }
  EXPECT_EQ(paged, (std::vector<std::string>{started[3], started[2], started[1], started[0]}));
}

TEST_F(execution_lists, executions_started_within_one_millisecond_still_list_newest_first) {
  auto flow = api_.create_flow(passthrough_flow());
  std::vector<std::string> started;
  for (int i = 0; i < 30; ++i)
    started.push_back(api_.start(flow));
  for (const auto& id : started)
    api_.wait_terminal(id);
  std::vector<std::string> listed;
  for (const auto& item : api_.list_all("/api/executions"))
    listed.push_back(string_at(item, "id"));
  std::reverse(started.begin(), started.end());
  EXPECT_EQ(listed, started);
}

TEST_F(execution_lists, a_page_holds_50_by_default) {
  auto flow = api_.create_flow(passthrough_flow());
  std::vector<std::string> started;
  for (int i = 0; i < 52; ++i) {
    started.push_back(api_.start(flow));
    ASSERT_FALSE(started.back().empty());
  }
  for (const auto& id : started)
    api_.wait_terminal(id);
  auto page = api_.get("/api/executions");
  ASSERT_EQ(page.status, 200);
  EXPECT_EQ(page.json().at("items").as_array().size(), 50u);
  EXPECT_TRUE(page.json().at("nextCursor").is_string());
  auto big = api_.get("/api/executions?limit=500");
  EXPECT_EQ(big.json().at("items").as_array().size(), 52u);
  EXPECT_TRUE(big.json().at("nextCursor").is_null());
  auto too_big = api_.get("/api/executions?limit=100000");
  EXPECT_TRUE(too_big.status == 400 ||
              (too_big.status == 200 && too_big.json().at("items").as_array().size() == 52u))
    << too_big.status;
}

} // namespace
} // namespace baley::testing
