// Tests for runtime/insight/failure_signature: numbers, UUIDs and quoted text
// masked so that messages differing only there group; digits in words kept.
#include "runtime/insight/failure_signature.hpp"

#include <gtest/gtest.h>

#include <string>

namespace baley::runtime {
namespace {

TEST(failure_signature, attempts_of_one_failure_share_a_signature) {
  EXPECT_EQ(failure_signature("attempt 1 of 3"), "attempt <n> of <n>");
  EXPECT_EQ(failure_signature("attempt 3 of 3"), "attempt <n> of <n>");
  EXPECT_EQ(failure_signature("attempt 1 of 3"), failure_signature("attempt 3 of 3"));
}

TEST(failure_signature, uuids_become_id) {
  EXPECT_EQ(failure_signature("execution 0192f3a4-5b6c-7d8e-9f01-23456789abcd not found"),
            "execution <id> not found");
  // Upper-case hex, a UUID that starts with a letter, and one at the end.
  EXPECT_EQ(failure_signature("node ABCDEF01-2345-6789-ABCD-EF0123456789 failed"),
            "node <id> failed");
  EXPECT_EQ(failure_signature("lost deadbeef-0000-4000-8000-000000000000"), "lost <id>");
  // Two executions that differ only in their id group.
  EXPECT_EQ(failure_signature("timeout in 11111111-2222-3333-4444-555555555555"),
            failure_signature("timeout in 99999999-8888-7777-6666-aaaaaaaaaaaa"));
}

TEST(failure_signature, a_message_of_only_a_uuid_is_id) {
  EXPECT_EQ(failure_signature("0192f3a4-5b6c-7d8e-9f01-23456789abcd"), "<id>");
}

TEST(failure_signature, almost_uuids_are_not_ids) {
  // One hex digit short in the last group: a word and numbers, not <id>.
  EXPECT_EQ(failure_signature("abcdef01-2345-6789-abcd-ef012345678"),
            "abcdef01-<n>-<n>-abcd-ef012345678");
  // Glued to a word character: not a UUID on its own.
  EXPECT_EQ(failure_signature("x0192f3a4-5b6c-7d8e-9f01-23456789abcd"),
            "x0192f3a4-5b6c-7d8e-9f01-23456789abcd");
}

TEST(failure_signature, double_and_single_quoted_text_becomes_s) {
  EXPECT_EQ(failure_signature(R"(unknown field "customer_id" in input)"),
            "unknown field <s> in input");
  EXPECT_EQ(failure_signature("unknown field 'customer_id' in input"),
            "unknown field <s> in input");
  EXPECT_EQ(failure_signature(R"(expected "a" got 'b')"), "expected <s> got <s>");
  EXPECT_EQ(failure_signature(R"(empty "" here)"), "empty <s> here");
  // Quoted text is masked first: numbers and UUIDs inside it do not show.
  EXPECT_EQ(failure_signature(R"(bad value "12 of 0192f3a4-5b6c-7d8e-9f01-23456789abcd")"),
            "bad value <s>");
  // The other kind of quote inside a quoted text belongs to it.
  EXPECT_EQ(failure_signature(R"(say "it's" twice)"), "say <s> twice");
}

TEST(failure_signature, decimals_are_one_number) {
  EXPECT_EQ(failure_signature("took 1.5 s"), "took <n> s");
  EXPECT_EQ(failure_signature("cost 0.0025 over 12.75"), "cost <n> over <n>");
  // A trailing dot ends a sentence, not a number.
  EXPECT_EQ(failure_signature("retried 3."), "retried <n>.");
  // Only one inner dot: a version's second dot separates two numbers.
  EXPECT_EQ(failure_signature("1.2.3"), "<n>.<n>");
}

TEST(failure_signature, digits_inside_words_are_kept) {
  EXPECT_EQ(failure_signature("model gpt4 refused"), "model gpt4 refused");
  EXPECT_EQ(failure_signature("model o3-mini refused"), "model o3-mini refused");
  EXPECT_EQ(failure_signature("the 3rd call failed"), "the 3rd call failed");
  EXPECT_EQ(failure_signature("gpt-4o is busy"), "gpt-4o is busy");
  EXPECT_EQ(failure_signature("node_2 failed"), "node_2 failed");
}

TEST(failure_signature, numbers_next_to_punctuation_are_masked) {
  EXPECT_EQ(failure_signature("HTTP 429: rate limited (retry in 20s, limit=100)"),
            "HTTP <n>: rate limited (retry in 20s, limit=<n>)");
  EXPECT_EQ(failure_signature("-42"), "-<n>");
  EXPECT_EQ(failure_signature("7"), "<n>");
}

TEST(failure_signature, an_unterminated_quote_is_kept) {
  EXPECT_EQ(failure_signature(R"(unterminated "abc 12)"), R"(unterminated "abc <n>)");
  EXPECT_EQ(failure_signature("it's 5"), "it's <n>");
  EXPECT_EQ(failure_signature("\""), "\"");
}

TEST(failure_signature, empty_message_is_empty) {
  EXPECT_EQ(failure_signature(""), "");
}

TEST(failure_signature, text_without_anything_to_mask_is_unchanged) {
  EXPECT_EQ(failure_signature("connection refused"), "connection refused");
  EXPECT_EQ(failure_signature("  spaces\tand\nnewlines  "), "  spaces\tand\nnewlines  ");
}

// An apostrophe inside a word ("can't") is not an opening quote: messages that
// differ only in their quoted part must still group.
TEST(failure_signature, an_apostrophe_in_a_word_does_not_open_a_quote) {
  EXPECT_EQ(failure_signature("can't find 'alpha'"), failure_signature("can't find 'beta'"));
  EXPECT_EQ(failure_signature("can't find 'alpha'"), "can't find <s>");
}

} // namespace
} // namespace baley::runtime
