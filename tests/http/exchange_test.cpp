// Tests of the request and response helpers of exchange.hpp: headers by name,
// query parameters (percent-decoded, first one wins), JSON and error bodies.
#include "http/exchange.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <string>

namespace baley::http {
namespace {

namespace json = boost::json;

http_request with_query(std::string query) {
  http_request request;
  request.query = std::move(query);
  return request;
}

TEST(exchange, header_answers_the_first_header_of_that_lower_case_name) {
  http_request request;
  request.headers = {{"authorization", "Bearer one"},
                     {"cookie", "a=1"},
                     {"authorization", "Bearer two"},
                     {"x-empty", ""}};
  EXPECT_EQ(request.header("authorization"), "Bearer one");
  EXPECT_EQ(request.header("cookie"), "a=1");
  EXPECT_EQ(request.header("x-empty"), "");
  EXPECT_EQ(request.header("missing"), "");
  // Names are stored lower-case by the transport; lookups are exact.
  EXPECT_EQ(request.header("Authorization"), "");
  EXPECT_EQ(http_request{}.header("authorization"), "");
}

TEST(exchange, query_param_finds_a_parameter_among_others) {
  auto request = with_query("flowId=f1&status=running&limit=5");
  EXPECT_EQ(request.query_param("flowId"), "f1");
  EXPECT_EQ(request.query_param("status"), "running");
  EXPECT_EQ(request.query_param("limit"), "5");
  EXPECT_EQ(request.query_param("cursor"), std::nullopt);
  // Names are whole and case-sensitive.
  EXPECT_EQ(request.query_param("flow"), std::nullopt);
  EXPECT_EQ(request.query_param("flowid"), std::nullopt);
  EXPECT_EQ(request.query_param("FlowId"), std::nullopt);
  EXPECT_EQ(with_query("").query_param("limit"), std::nullopt);
}

TEST(exchange, query_param_without_a_value_is_the_empty_string) {
  auto request = with_query("wait&kind=&x=1");
  EXPECT_EQ(request.query_param("wait"), "");
  EXPECT_EQ(request.query_param("kind"), "");
  EXPECT_EQ(request.query_param("x"), "1");
  // Empty pairs between ampersands are skipped.
  EXPECT_EQ(with_query("&&a=1&&").query_param("a"), "1");
}

TEST(exchange, the_first_of_repeated_parameters_wins) {
  EXPECT_EQ(with_query("a=1&a=2").query_param("a"), "1");
  EXPECT_EQ(with_query("a&a=2").query_param("a"), "");
}

TEST(exchange, the_value_keeps_everything_after_the_first_equals_sign) {
  EXPECT_EQ(with_query("cursor=a=b=c").query_param("cursor"), "a=b=c");
  EXPECT_EQ(with_query("cursor==").query_param("cursor"), "=");
}

TEST(exchange, names_and_values_are_percent_decoded_with_plus_as_space) {
  auto request = with_query("q=a%20b+c&fl%6FwId=f%2F1&t=%E2%82%AC&plus=%2B");
  EXPECT_EQ(request.query_param("q"), "a b c");
  EXPECT_EQ(request.query_param("flowId"), "f/1");
  EXPECT_EQ(request.query_param("t"), "\xE2\x82\xAC");
  EXPECT_EQ(request.query_param("plus"), "+");
  // Hex digits of either case; a decoded '&' or '=' does not split the query.
  EXPECT_EQ(with_query("x=%2a%2A").query_param("x"), "**");
  EXPECT_EQ(with_query("x=a%26b%3Dc&y=2").query_param("x"), "a&b=c");
  EXPECT_EQ(with_query("x=a%26y%3D3").query_param("y"), std::nullopt);
  EXPECT_EQ(with_query("x=%00").query_param("x"), std::string(1, '\0'));
}

TEST(exchange, a_percent_sign_without_two_hex_digits_is_kept_as_it_is) {
  EXPECT_EQ(with_query("x=100%").query_param("x"), "100%");
  EXPECT_EQ(with_query("x=%4").query_param("x"), "%4");
  EXPECT_EQ(with_query("x=%zz").query_param("x"), "%zz");
  EXPECT_EQ(with_query("x=%g1").query_param("x"), "%g1");
  EXPECT_EQ(with_query("x=%%41").query_param("x"), "%A");
  EXPECT_EQ(with_query("x=%41").query_param("x"), "A");
  EXPECT_EQ(with_query("x=a%41").query_param("x"), "aA");
}

TEST(exchange, json_response_serializes_the_body_with_the_json_content_type) {
  auto r = json_response(201, json::object{{"id", "f1"}, {"version", 1}});
  EXPECT_EQ(r.status, 201);
  EXPECT_EQ(r.content_type, "application/json; charset=utf-8");
  EXPECT_EQ(r.body, R"({"id":"f1","version":1})");
  EXPECT_TRUE(r.headers.empty());
  EXPECT_EQ(json_response(200, nullptr).body, "null");
}

TEST(exchange, error_response_is_error_then_code_as_api_md_writes_it) {
  auto r = error_response(404, "not_found", "flow f1 not found");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.content_type, "application/json; charset=utf-8");
  EXPECT_EQ(r.body, R"({"error":"flow f1 not found","code":"not_found"})");
  // Quotes, backslashes and control characters in the message stay valid JSON.
  auto odd = error_response(400, "invalid_json", "bad \"x\" at \\ line\n2");
  EXPECT_EQ(odd.body, R"({"error":"bad \"x\" at \\ line\n2","code":"invalid_json"})");
  auto parsed = json::parse(odd.body).as_object();
  EXPECT_EQ(parsed.at("error").as_string(), "bad \"x\" at \\ line\n2");
  EXPECT_EQ(parsed.size(), 2u);
}

} // namespace
} // namespace baley::http
