// Tamper evidence: one changed byte in a stored event makes `baley audit` fail
// and name the stream and index; an untouched log audits valid.
#include "ndjson.hpp"
#include "process.hpp"

#include "storage/event_log.hpp"
#include "storage/testing/tamper.hpp"

#include <gtest/gtest.h>

namespace baley::testing {
namespace {
namespace json = boost::json;

TEST(tamper, one_changed_byte_is_found_with_its_stream_and_index) {
  temp_dir dir;
  auto data = dir.path + "/data";
  auto run = run_process(baley({"run", BALEY_CONFORMANCE_DIR "/linear.json", "--data", data,
                                "--input", R"({"text":"pay alice 10","n":1})"}));
  ASSERT_EQ(run.exit_code, 0) << run.err;
  auto id = parse_lines(run.out).front().execution_id;
  auto stream = "exec/" + id;

  auto clean = run_process(baley({"audit", "--data", data}));
  ASSERT_EQ(clean.exit_code, 0) << clean.out << clean.err;
  auto report = json::parse(clean.out).as_object();
  EXPECT_EQ(report.at("valid"), true);
  EXPECT_EQ(report.at("events"), 9) << "8 execution events and the flow's flow_saved";
  EXPECT_EQ(report.at("streams"), 2) << "exec/<id> and flow/<id>";

  // Change one byte of the input recorded at index 3: "alice" -> "alicf".
  auto replay = run_process(baley({"replay", id, "--data", data}));
  auto events = parse_lines(replay.out);
  ASSERT_GT(events.size(), 3u);
  auto replayed = json::serialize(events[3].event);
  ASSERT_NE(replayed.find("alice"), std::string::npos);

  std::string record;
  {
    auto log = storage::event_log::open({data, storage::durability::fsync});
    ASSERT_TRUE(log);
    auto stored = (*log)->read_stream(stream, stream_index{3}, 1);
    ASSERT_TRUE(stored && stored->size() == 1);
    record = stored->front().record;
  }  // closed: the lock is released before the edit
  auto at = record.find("alice");
  ASSERT_NE(at, std::string::npos);
  record[at + 4] = 'f';
  ASSERT_TRUE(storage::overwrite_record_for_test(data, stream, stream_index{3}, record));

  auto tampered = run_process(baley({"audit", "--data", data}));
  EXPECT_EQ(tampered.exit_code, 1) << tampered.out;
  auto bad = json::parse(tampered.out).as_object();
  EXPECT_EQ(bad.at("valid"), false);
  EXPECT_EQ(bad.at("firstBad").as_object().at("stream"), json::value(stream));
  EXPECT_EQ(bad.at("firstBad").as_object().at("index"), 3);

  auto one = run_process(baley({"audit", "--data", data, id}));
  EXPECT_EQ(one.exit_code, 1);
  EXPECT_EQ(json::parse(one.out).as_object().at("firstBad").as_object().at("index"), 3);
}

} // namespace
} // namespace baley::testing
