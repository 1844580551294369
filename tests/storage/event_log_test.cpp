// Tests of event_log over RocksDB: indexes, reads, projections committed with
// their events, reopening, and the locked data dir.
#include "storage/event_log.hpp"

#include "storage/hash_chain.hpp"
#include "storage/record.hpp"
#include "temp_dir.hpp"

#include <gtest/gtest.h>

#include <fstream>

namespace baley::storage {
namespace {

using testing::temp_dir;

std::unique_ptr<event_log> open_log(const std::string& dir,
                                    durability mode = durability::fsync) {
  auto log = event_log::open({dir, mode});
  EXPECT_TRUE(log) << (log ? "" : log.error().message);
  return log ? std::move(*log) : nullptr;
}

std::string event_json(int n) {
  return R"({"type":"test","n":)" + std::to_string(n) + "}";
}

append_request request(std::string stream, std::vector<std::string> events,
                       std::optional<std::uint64_t> expected = std::nullopt) {
  append_request r;
  r.stream = std::move(stream);
  if (expected) r.expected_next = stream_index{*expected};
  r.events = std::move(events);
  return r;
}

TEST(event_log, assigns_contiguous_indexes_and_positions) {
  temp_dir dir;
  auto log = open_log(dir.path());
  auto first = log->append(request("exec/a", {event_json(0), event_json(1)}));
  ASSERT_TRUE(first);
  auto other = log->append(request("exec/b", {event_json(2)}));
  auto second = log->append(request("exec/a", {event_json(3)}, 2));
  ASSERT_TRUE(other && second);
  ASSERT_EQ(first->size(), 2u);
  EXPECT_EQ((*first)[0].index.value(), 0u);
  EXPECT_EQ((*first)[1].index.value(), 1u);
  EXPECT_EQ((*first)[1].position.value(), 1u);
  EXPECT_EQ((*other)[0].index.value(), 0u);
  EXPECT_EQ((*other)[0].position.value(), 2u);
  EXPECT_EQ((*second)[0].index.value(), 2u);
  EXPECT_EQ((*second)[0].position.value(), 3u);
  EXPECT_EQ(event_bytes((*second)[0].record), event_json(3));
  EXPECT_EQ(log->next_index("exec/a")->value(), 3u);
  EXPECT_EQ(log->next_index("exec/none")->value(), 0u);
}

TEST(event_log, records_chain_hashes) {
  temp_dir dir;
  auto log = open_log(dir.path());
  auto appended = log->append(request("s", {event_json(0), event_json(1)}));
  ASSERT_TRUE(appended);
  auto r0 = decode_record((*appended)[0].record);
  auto r1 = decode_record((*appended)[1].record);
  ASSERT_TRUE(r0 && r1);
  EXPECT_EQ(r0->prev, genesis_hash());
  EXPECT_EQ(r0->hash, chain_hash(genesis_hash(), event_json(0)));
  EXPECT_EQ(r1->prev, r0->hash);
  EXPECT_EQ(r1->hash, chain_hash(r0->hash, event_json(1)));
}

TEST(event_log, reads_a_stream_from_an_index_with_a_limit) {
  temp_dir dir;
  auto log = open_log(dir.path());
  for (int i = 0; i < 5; ++i)
    ASSERT_TRUE(log->append(request("s", {event_json(i)})));
  ASSERT_TRUE(log->append(request("s/longer", {event_json(9)})));
  ASSERT_TRUE(log->append(request("r", {event_json(8)})));

  auto all = log->read_stream("s", stream_index{0});
  ASSERT_TRUE(all);
  ASSERT_EQ(all->size(), 5u);
  for (std::size_t i = 0; i < all->size(); ++i) {
    EXPECT_EQ((*all)[i].stream, "s");
    EXPECT_EQ((*all)[i].index.value(), i);
    EXPECT_EQ((*all)[i].position.value(), i);
  }
  auto some = log->read_stream("s", stream_index{2}, 2);
  ASSERT_TRUE(some);
  ASSERT_EQ(some->size(), 2u);
  EXPECT_EQ((*some)[0].index.value(), 2u);
  EXPECT_EQ((*some)[1].record, (*all)[3].record);
  EXPECT_TRUE(log->read_stream("s", stream_index{5})->empty());
  EXPECT_TRUE(log->read_stream("nothing", stream_index{0})->empty());
}

TEST(event_log, reads_the_global_order) {
  temp_dir dir;
  auto log = open_log(dir.path());
  ASSERT_TRUE(log->append(request("a", {event_json(0)})));
  ASSERT_TRUE(log->append(request("b", {event_json(1), event_json(2)})));
  ASSERT_TRUE(log->append(request("a", {event_json(3)})));
  auto global = log->read_global(global_position{1}, 10);
  ASSERT_TRUE(global);
  ASSERT_EQ(global->size(), 3u);
  EXPECT_EQ((*global)[0].stream, "b");
  EXPECT_EQ((*global)[0].position.value(), 1u);
  EXPECT_EQ((*global)[2].stream, "a");
  EXPECT_EQ((*global)[2].index.value(), 1u);
  EXPECT_EQ(event_bytes((*global)[2].record), event_json(3));
  EXPECT_EQ(log->read_global(global_position{0}, 2)->size(), 2u);
  EXPECT_TRUE(log->read_global(global_position{4}, 10)->empty());
}

TEST(event_log, projections_are_visible_exactly_with_their_events) {
  temp_dir dir;
  auto log = open_log(dir.path());
  event_log* raw = log.get();
  std::vector<std::optional<std::string>> seen_by_listener;
  log->set_commit_listener([&](const std::vector<committed_event>&) {
    seen_by_listener.push_back(*raw->get_projection(families::executions, "e1"));
  });
  EXPECT_FALSE(*log->get_projection(families::executions, "e1"));

  auto r = request("exec/e1", {event_json(0)});
  r.projections.push_back({std::string(families::executions), "e1", R"({"status":"running"})"});
  r.projections.push_back({std::string(families::flows), "f1", "{}"});
  ASSERT_TRUE(log->append(std::move(r)));
  ASSERT_EQ(seen_by_listener.size(), 1u);
  EXPECT_EQ(seen_by_listener[0], R"({"status":"running"})");

  auto erase = request("exec/e1", {event_json(1)});
  erase.projections.push_back({std::string(families::executions), "e1", "", true});
  ASSERT_TRUE(log->append(std::move(erase)));
  EXPECT_FALSE(*log->get_projection(families::executions, "e1"));
  EXPECT_EQ(*log->get_projection(families::flows, "f1"), "{}");
}

TEST(event_log, a_rejected_request_writes_neither_events_nor_projections) {
  temp_dir dir;
  auto log = open_log(dir.path());
  auto r = request("exec/e1", {event_json(0)}, 3);
  r.projections.push_back({std::string(families::executions), "e1", "{}"});
  auto failed = log->append(std::move(r));
  ASSERT_FALSE(failed);
  EXPECT_EQ(failed.error().code, "wrong_expected_index");
  EXPECT_NE(failed.error().message.find("expected next index 3 but it is 0"),
            std::string::npos) << failed.error().message;
  EXPECT_FALSE(*log->get_projection(families::executions, "e1"));
  EXPECT_TRUE(log->read_stream("exec/e1", stream_index{0})->empty());
}

TEST(event_log, rejects_invalid_requests) {
  temp_dir dir;
  auto log = open_log(dir.path());
  EXPECT_EQ(log->append(request("s", {"not json"})).error().code, "invalid_event");
  EXPECT_EQ(log->append(request("", {event_json(0)})).error().code, "invalid_append");
  EXPECT_EQ(log->append(request(std::string("a\0b", 3), {event_json(0)})).error().code,
            "invalid_append");
  auto r = request("s", {event_json(0)});
  r.projections.push_back({"log", "k", "v"});
  EXPECT_EQ(log->append(std::move(r)).error().code, "invalid_append");
  EXPECT_EQ(log->get_projection("global", "k").error().code, "unknown_family");
  EXPECT_EQ(log->next_index("s")->value(), 0u);
}

TEST(event_log, writes_projections_without_events) {
  temp_dir dir;
  auto log = open_log(dir.path());
  append_request r;
  r.projections.push_back({std::string(families::meta), "schema", "1"});
  r.projections.push_back({std::string(families::meta), "seed", "2"});
  r.projections.push_back({std::string(families::flows), "x", "3"});
  auto written = log->append(std::move(r));
  ASSERT_TRUE(written);
  EXPECT_TRUE(written->empty());
  std::vector<std::pair<std::string, std::string>> meta;
  ASSERT_TRUE(log->scan_projection(families::meta, "s",
    [&](std::string_view k, std::string_view v) { meta.emplace_back(k, v); }));
  ASSERT_EQ(meta.size(), 2u);
  EXPECT_EQ(meta[0].first, "schema");
  EXPECT_EQ(meta[1].second, "2");
}

TEST(event_log, every_projection_family_takes_writes_and_survives_reopen) {
  temp_dir dir;
  {
    auto log = open_log(dir.path());
    append_request r;
    for (auto family : families::all)
      r.projections.push_back({std::string(family),
                               families::compound_key("owner", family), "v"});
    ASSERT_TRUE(log->append(std::move(r)));
  }
  auto log = open_log(dir.path());
  for (auto family : families::all) {
    EXPECT_EQ(*log->get_projection(family, families::compound_key("owner", family)), "v")
      << family;
    int seen = 0;
    ASSERT_TRUE(log->scan_projection(family, families::compound_prefix("owner"),
                                     [&](std::string_view, std::string_view) { ++seen; }));
    EXPECT_EQ(seen, 1) << family;
  }
  append_request unknown;
  unknown.projections.push_back({"default", "k", "v"});
  EXPECT_EQ(log->append(std::move(unknown)).error().code, "invalid_append");
  EXPECT_EQ(log->get_projection("default", "k").error().code, "unknown_family");
}

TEST(event_log, compound_keys_keep_one_owner_contiguous) {
  EXPECT_EQ(families::compound_key("ws1", "e1"), std::string("ws1\0e1", 6));
  EXPECT_EQ(families::compound_prefix("ws1"), std::string("ws1\0", 4));
  EXPECT_TRUE(families::compound_key("ws1", "e1").starts_with(families::compound_prefix("ws1")));
  EXPECT_FALSE(families::compound_key("ws10", "e1").starts_with(families::compound_prefix("ws1")));
}

TEST(event_log, reopen_keeps_everything_and_continues) {
  temp_dir dir;
  std::vector<std::string> records;
  {
    auto log = open_log(dir.path(), durability::buffered);
    ASSERT_TRUE(log->append(request("a", {event_json(0), event_json(1)})));
    auto r = request("b", {event_json(2)});
    r.projections.push_back({std::string(families::flows), "f", "v1"});
    ASSERT_TRUE(log->append(std::move(r)));
    auto written = log->read_global(global_position{0}, 10);
    ASSERT_TRUE(written);
    for (auto& e : *written)
      records.push_back(e.record);
  }
  auto log = open_log(dir.path());
  auto global = log->read_global(global_position{0}, 10);
  ASSERT_TRUE(global);
  ASSERT_EQ(global->size(), 3u);
  for (std::size_t i = 0; i < records.size(); ++i)
    EXPECT_EQ((*global)[i].record, records[i]);
  EXPECT_EQ(*log->get_projection(families::flows, "f"), "v1");

  auto next = log->append(request("a", {event_json(3)}, 2));
  ASSERT_TRUE(next) << next.error().message;
  EXPECT_EQ((*next)[0].index.value(), 2u);
  EXPECT_EQ((*next)[0].position.value(), 3u);
  auto decoded = decode_record((*next)[0].record);
  ASSERT_TRUE(decoded);
  EXPECT_EQ(decoded->prev, decode_record(records[1])->hash);
  EXPECT_TRUE(log->audit(std::nullopt)->valid);
}

TEST(event_log, a_locked_data_dir_is_reported_with_its_path) {
  temp_dir dir;
  auto log = open_log(dir.path());
  auto second = event_log::open({dir.path(), durability::fsync});
  ASSERT_FALSE(second);
  EXPECT_EQ(second.error().code, "data_dir_locked");
  EXPECT_NE(second.error().message.find(dir.path()), std::string::npos);
  EXPECT_EQ(second.error().message.find('\n'), std::string::npos);
}

TEST(event_log, an_unusable_dir_is_an_io_error) {
  temp_dir dir;
  auto file = dir.path() + "/file";
  std::ofstream(file) << "not a dir";
  auto log = event_log::open({file + "/sub", durability::fsync});
  ASSERT_FALSE(log);
  EXPECT_EQ(log.error().code, "io_error");
}

} // namespace
} // namespace baley::storage
