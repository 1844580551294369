// Tests of audit: a clean log verifies with its counts and head; an edited,
// re-chained or missing event is found at its stream and index.
#include "storage/audit.hpp"

#include "storage/event_log.hpp"
#include "storage/hash_chain.hpp"
#include "storage/record.hpp"
#include "storage/testing/tamper.hpp"
#include "temp_dir.hpp"

#include <gtest/gtest.h>

namespace baley::storage {
namespace {

using testing::temp_dir;

std::string event_json(int n) { return R"({"type":"test","n":)" + std::to_string(n) + "}"; }

// Writes streams a (3 events), b (2 events), c (1 event) and closes the log;
// returns the records of a.
std::vector<std::string> write_sample(const std::string& dir) {
  auto log = event_log::open({dir, durability::buffered}).value();
  std::vector<std::string> records;
  for (auto [stream, count] : {std::pair{"a", 3}, {"b", 2}, {"c", 1}})
    for (int i = 0; i < count; ++i) {
      append_request r;
      r.stream = stream;
      r.events.push_back(event_json(i));
      auto appended = log->append(std::move(r));
      EXPECT_TRUE(appended);
      if (std::string_view(stream) == "a")
        records.push_back((*appended)[0].record);
    }
  return records;
}

audit_report audit_dir(const std::string& dir, std::optional<std::string_view> stream) {
  auto log = event_log::open({dir, durability::fsync}).value();
  auto report = log->audit(stream);
  EXPECT_TRUE(report) << (report ? "" : report.error().message);
  return *report;
}

TEST(audit, a_clean_log_verifies_every_stream) {
  temp_dir dir;
  auto records = write_sample(dir.path());
  auto all = audit_dir(dir.path(), std::nullopt);
  EXPECT_TRUE(all.valid) << all.reason;
  EXPECT_EQ(all.streams, 3u);
  EXPECT_EQ(all.events, 6u);

  auto one = audit_dir(dir.path(), "a");
  EXPECT_TRUE(one.valid);
  EXPECT_EQ(one.streams, 1u);
  EXPECT_EQ(one.events, 3u);
  EXPECT_EQ(one.head, decode_record(records[2])->hash);

  auto none = audit_dir(dir.path(), "missing");
  EXPECT_TRUE(none.valid);
  EXPECT_EQ(none.streams, 0u);
  EXPECT_EQ(none.events, 0u);
}

TEST(audit, finds_an_edited_event) {
  temp_dir dir;
  auto records = write_sample(dir.path());
  auto old = decode_record(records[1]);
  auto edited = encode_record(stream_index{1}, old->prev, old->hash, event_json(999));
  ASSERT_TRUE(overwrite_record_for_test(dir.path(), "a", stream_index{1}, edited));
  for (auto scope : {std::optional<std::string_view>{}, std::optional<std::string_view>{"a"}}) {
    auto report = audit_dir(dir.path(), scope);
    EXPECT_FALSE(report.valid);
    EXPECT_EQ(report.bad_stream, "a");
    EXPECT_EQ(report.bad_index, stream_index{1});
    EXPECT_NE(report.reason.find("hash does not match"), std::string::npos) << report.reason;
    EXPECT_EQ(report.events, 1u);
  }
}

TEST(audit, finds_an_edit_that_rehashes_one_event) {
  temp_dir dir;
  auto records = write_sample(dir.path());
  auto old = decode_record(records[1]);
  auto new_hash = chain_hash(old->prev, event_json(999));
  ASSERT_TRUE(overwrite_record_for_test(dir.path(), "a", stream_index{1},
                                        encode_record(stream_index{1}, old->prev, new_hash, event_json(999))));
  auto report = audit_dir(dir.path(), std::nullopt);
  EXPECT_FALSE(report.valid);
  EXPECT_EQ(report.bad_index, stream_index{2});  // the next event no longer chains
  EXPECT_NE(report.reason.find("prev does not match"), std::string::npos) << report.reason;
}

TEST(audit, finds_a_malformed_record) {
  temp_dir dir;
  write_sample(dir.path());
  ASSERT_TRUE(overwrite_record_for_test(dir.path(), "b", stream_index{0}, "{\"index\":0}"));
  auto report = audit_dir(dir.path(), std::nullopt);
  EXPECT_FALSE(report.valid);
  EXPECT_EQ(report.bad_stream, "b");
  EXPECT_EQ(report.bad_index, stream_index{0});
  EXPECT_EQ(report.streams, 1u);  // a verified before b failed
}

TEST(audit, finds_a_missing_event) {
  temp_dir dir;
  write_sample(dir.path());
  ASSERT_TRUE(erase_record_for_test(dir.path(), "a", stream_index{1}));
  auto report = audit_dir(dir.path(), "a");
  EXPECT_FALSE(report.valid);
  EXPECT_EQ(report.bad_stream, "a");
  EXPECT_EQ(report.bad_index, stream_index{1});
  EXPECT_NE(report.reason.find("index 1 is missing"), std::string::npos) << report.reason;
}

TEST(audit, finds_a_removed_stream_tail_through_the_global_order) {
  temp_dir dir;
  write_sample(dir.path());
  ASSERT_TRUE(erase_record_for_test(dir.path(), "c", stream_index{0}));
  auto report = audit_dir(dir.path(), std::nullopt);
  EXPECT_FALSE(report.valid);
  EXPECT_EQ(report.bad_stream, "c");
  EXPECT_NE(report.reason.find("missing event"), std::string::npos) << report.reason;
}

} // namespace
} // namespace baley::storage
