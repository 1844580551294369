// Tests of the stored record layout: exact bytes, the event view, and strict
// rejection of anything that is not the layout.
#include "storage/record.hpp"

#include "storage/event_log.hpp"

#include <gtest/gtest.h>

namespace baley::storage {
namespace {

const std::string zeros(64, '0');
const std::string hash_a(64, 'a');
const std::string event = R"({"type":"node_start","ts":"2024-01-01T00:00:00.000Z"})";

TEST(record, encodes_the_fixed_layout) {
  auto record = encode_record(stream_index{7}, zeros, hash_a, event);
  EXPECT_EQ(record, "{\"index\":7,\"prev\":\"" + zeros + "\",\"hash\":\"" + hash_a
                      + "\",\"event\":" + event + "}");
  EXPECT_EQ(record.size(), record_size(stream_index{7}, event.size()));
  EXPECT_EQ(record_size(stream_index{1234567}, 2), encode_record(stream_index{1234567}, zeros, hash_a, "{}").size());
}

TEST(record, event_bytes_are_the_exact_event) {
  auto record = encode_record(stream_index{0}, zeros, hash_a, event);
  EXPECT_EQ(event_bytes(record), event);
  EXPECT_EQ(event_bytes("not a record"), "");
}

TEST(record, decodes_what_it_encodes) {
  auto record = encode_record(stream_index{18446744073709551615ull}, zeros, hash_a, event);
  auto decoded = decode_record(record);  // views into `record`
  ASSERT_TRUE(decoded) << decoded.error().message;
  EXPECT_EQ(decoded->index.value(), 18446744073709551615ull);
  EXPECT_EQ(decoded->prev, zeros);
  EXPECT_EQ(decoded->hash, hash_a);
  EXPECT_EQ(decoded->event, event);
}

void expect_rejected(const std::string& record, const std::string& reason_part) {
  auto decoded = decode_record(record);
  ASSERT_FALSE(decoded) << record;
  EXPECT_EQ(decoded.error().code, "corrupt_record");
  EXPECT_NE(decoded.error().message.find(reason_part), std::string::npos)
    << decoded.error().message;
}

TEST(record, rejects_malformed_records) {
  auto good = encode_record(stream_index{3}, zeros, hash_a, event);
  expect_rejected("", "does not start");
  expect_rejected("{\"index\":x" + good.substr(10), "not a number");
  expect_rejected("{\"index\":03" + good.substr(10), "leading zero");
  expect_rejected("{\"index\":99999999999999999999" + good.substr(10), "out of range");
  expect_rejected(encode_record(stream_index{3}, std::string(64, 'A'), hash_a, event), "prev is not");
  expect_rejected(encode_record(stream_index{3}, zeros, std::string(63, 'a'), event), "hash is not");
  expect_rejected(encode_record(stream_index{3}, zeros, "g" + std::string(63, 'a'), event), "hash is not");
  expect_rejected(good.substr(0, good.size() - 1), "not a JSON object");  // truncated
  expect_rejected(encode_record(stream_index{3}, zeros, hash_a, "[1,2]"), "not a JSON object");
  expect_rejected(encode_record(stream_index{3}, zeros, hash_a, "{\"a\":}"), "not a JSON object");
  expect_rejected(good + " ", "does not end");
}

TEST(record, checks_event_json) {
  EXPECT_TRUE(check_event_json(event));
  EXPECT_EQ(check_event_json("{").error().code, "invalid_event");
  EXPECT_EQ(check_event_json("\"text\"").error().code, "invalid_event");
  EXPECT_EQ(check_event_json("{} {}").error().code, "invalid_event");
  EXPECT_TRUE(check_event_shape(event));
  EXPECT_EQ(check_event_shape("\"text\"").error().code, "invalid_event");
  EXPECT_EQ(check_event_shape("{").error().code, "invalid_event");
}

} // namespace
} // namespace baley::storage
