// Tests of the one error-code-to-status table (API.md): every code it names,
// and 500 for any other code, including near misses of known ones.
#include "http/replies.hpp"

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

namespace baley::http {
namespace {

TEST(replies, invalid_input_of_any_kind_is_400) {
  for (const char* code : {"invalid_json", "invalid_request", "invalid_input", "invalid_flow",
                           "invalid_query", "invalid_block", "invalid_connection",
                           "invalid_last_event_id", "invalid_cursor", "invalid_page"})
    EXPECT_EQ(http_status_of(code), 400) << code;
}

TEST(replies, who_may_ask_and_what_exists_map_to_401_403_404_405) {
  EXPECT_EQ(http_status_of("unauthorized"), 401);
  EXPECT_EQ(http_status_of("forbidden"), 403);
  EXPECT_EQ(http_status_of("not_found"), 404);
  EXPECT_EQ(http_status_of("method_not_allowed"), 405);
}

TEST(replies, state_conflicts_are_409_and_limits_413_and_429) {
  EXPECT_EQ(http_status_of("flow_disabled"), 409);
  EXPECT_EQ(http_status_of("invalid_state"), 409);
  EXPECT_EQ(http_status_of("webhook_exists"), 409);
  EXPECT_EQ(http_status_of("conflict"), 409);
  EXPECT_EQ(http_status_of("body_too_large"), 413);
  EXPECT_EQ(http_status_of("rate_limited"), 429);
}

TEST(replies, a_log_that_cannot_take_writes_now_is_503) {
  for (const char* code : {"log_failed", "log_closed", "io_error", "data_dir_locked",
                           "jq_unavailable"})
    EXPECT_EQ(http_status_of(code), 503) << code;
}

TEST(replies, any_other_code_is_500) {
  for (const char* code : {"corrupt_log", "internal", "internal_error", "crypto_error",
                           "unknown_family", "wrong_expected_index", ""})
    EXPECT_EQ(http_status_of(code), 500) << '"' << code << '"';
}

TEST(replies, codes_are_matched_exactly_not_by_case_prefix_or_padding) {
  for (const char* code : {"INVALID_JSON", "Not_Found", "invalid", "invalid_", "not_found ",
                           " not_found", "not_foundx", "rate_limited\n", "log"})
    EXPECT_EQ(http_status_of(code), 500) << '"' << code << '"';
  // A view into a longer text is compared by its own length.
  std::string_view text = "not_found_here";
  EXPECT_EQ(http_status_of(text.substr(0, 9)), 404);
  EXPECT_EQ(http_status_of(text), 500);
}

TEST(replies, the_codes_api_md_names_have_the_status_it_gives) {
  // API.md: 401 missing token, 404 resource, 409 flow_disabled and invalid_state,
  // 400 invalid_json, invalid_input, invalid_flow, 413 body, 429 rate limit.
  const std::vector<std::pair<const char*, int>> contract = {
    {"unauthorized", 401}, {"not_found", 404},    {"flow_disabled", 409},
    {"invalid_state", 409}, {"invalid_json", 400}, {"invalid_input", 400},
    {"invalid_flow", 400}, {"body_too_large", 413}, {"rate_limited", 429},
  };
  for (const auto& [code, status] : contract)
    EXPECT_EQ(http_status_of(code), status) << code;
}

TEST(replies, only_a_500_in_debug_mode_carries_a_stack_trace) {
  auto body = [](int status) { return boost::json::parse(error_answer(status, "c", "m").body); };
  EXPECT_EQ(body(500), boost::json::parse(R"({"error":"m","code":"c"})")) << "off by default";
  set_debug_answers(true);
  auto debug = body(500);
  set_debug_answers(false);
  ASSERT_TRUE(debug.as_object().contains("debug")) << debug;
  EXPECT_EQ(debug.at("debug").at("detail"), "c: m");
  EXPECT_FALSE(debug.at("debug").at("stackTrace").as_string().empty());
  set_debug_answers(true);
  auto not_found = body(404);
  set_debug_answers(false);
  EXPECT_FALSE(not_found.as_object().contains("debug")) << "only 500 answers";
  EXPECT_FALSE(body(500).as_object().contains("debug"));
}

} // namespace
} // namespace baley::http
