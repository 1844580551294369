// Tests of list paging (API.md, "Lists"): ?limit= from 1 to 500 with 50 by
// default, ?cursor=, "invalid_query" otherwise, and the {items,nextCursor} body.
#include "http/paging.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <string>

namespace baley::http {
namespace {

namespace json = boost::json;

http_request with_query(std::string query) {
  http_request request;
  request.method = "GET";
  request.path = "/api/flows";
  request.query = std::move(query);
  return request;
}

page_request page(std::string query) {
  auto p = page_of(with_query(query));
  EXPECT_TRUE(p) << query << ": " << (p ? "" : p.error().message);
  return p ? *p : page_request{.limit = 0, .cursor = "<error>"};
}

TEST(paging, without_parameters_a_page_is_50_items_from_the_start) {
  for (const char* query : {"", "flowId=f1", "status=running&kind=test", "limitx=3", "&&"}) {
    auto p = page(query);
    EXPECT_EQ(p.limit, 50u) << query;
    EXPECT_EQ(p.cursor, std::nullopt) << query;
  }
}

TEST(paging, limit_takes_every_integer_from_1_to_500) {
  EXPECT_EQ(page("limit=1").limit, 1u);
  EXPECT_EQ(page("limit=2").limit, 2u);
  EXPECT_EQ(page("limit=50").limit, 50u);
  EXPECT_EQ(page("limit=499").limit, 499u);
  EXPECT_EQ(page("limit=500").limit, 500u);
  EXPECT_EQ(page("limit=007").limit, 7u);
  // Found among other parameters, percent-decoded, the first one counting.
  EXPECT_EQ(page("flowId=f1&limit=20&status=failed").limit, 20u);
  EXPECT_EQ(page("limit=%31%30").limit, 10u);
  EXPECT_EQ(page("limit=5&limit=7").limit, 5u);
}

TEST(paging, a_limit_out_of_range_or_not_an_integer_is_invalid_query) {
  for (const char* query : {"limit=0", "limit=501", "limit=1000", "limit=-1", "limit=", "limit",
                            "limit=ten", "limit=10abc", "limit=1.5", "limit=1e2", "limit=+5",
                            "limit=%205", "limit=5%20", "limit=0x10",
                            "limit=18446744073709551617", "limit=0&cursor=x",
                            "limit=0&limit=5"}) {
    auto p = page_of(with_query(query));
    ASSERT_FALSE(p) << query;
    EXPECT_EQ(p.error().code, "invalid_query") << query;
    EXPECT_EQ(p.error().message, "limit must be an integer from 1 to 500") << query;
    EXPECT_EQ(http_status_of(p.error().code), 400);
  }
}

TEST(paging, a_cursor_is_taken_percent_decoded_and_an_empty_one_is_none) {
  EXPECT_EQ(page("cursor=0190a3b4-7c2d").cursor, "0190a3b4-7c2d");
  EXPECT_EQ(page("limit=10&cursor=abc").cursor, "abc");
  EXPECT_EQ(page("limit=10&cursor=abc").limit, 10u);
  EXPECT_EQ(page("cursor=a%2Fb%3D").cursor, "a/b=");
  EXPECT_EQ(page("cursor=a+b").cursor, "a b");
  EXPECT_EQ(page("cursor=first&cursor=second").cursor, "first");
  EXPECT_EQ(page("cursor=").cursor, std::nullopt);
  EXPECT_EQ(page("cursor").cursor, std::nullopt);
}

TEST(paging, the_body_is_items_then_next_cursor_or_null) {
  json::array items{json::object{{"id", "b"}}, json::object{{"id", "a"}}};
  EXPECT_EQ(json::serialize(page_body(items, std::string("a"))),
            R"({"items":[{"id":"b"},{"id":"a"}],"nextCursor":"a"})");
  EXPECT_EQ(json::serialize(page_body(items, std::nullopt)),
            R"({"items":[{"id":"b"},{"id":"a"}],"nextCursor":null})");
  EXPECT_EQ(json::serialize(page_body({}, std::nullopt)), R"({"items":[],"nextCursor":null})");
  // A cursor is a string even when it looks like a number or is empty.
  auto numeric = page_body({}, std::string("42"));
  ASSERT_TRUE(numeric.at("nextCursor").is_string());
  EXPECT_EQ(numeric.at("nextCursor").as_string(), "42");
  EXPECT_EQ(page_body({}, std::string()).at("nextCursor").as_string(), "");
}

} // namespace
} // namespace baley::http
