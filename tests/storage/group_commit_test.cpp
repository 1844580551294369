// Tests of group commit: requests queued during a write share the next batch,
// a conflicting request fails alone, one stream gets one total order, and the
// listener sees the global order before the callbacks run.
#include "storage/group_commit.hpp"

#include "storage/event_log.hpp"
#include "temp_dir.hpp"
#include "writer_gate.hpp"

#include <gtest/gtest.h>

#include <future>
#include <map>
#include <set>
#include <thread>

namespace baley::storage {
namespace {

using testing::temp_dir;
using testing::collected;
using testing::writer_gate;

using testing::append_result;

append_request request(std::string stream, int n,
                       std::optional<std::uint64_t> expected = std::nullopt) {
  append_request r;
  r.stream = std::move(stream);
  if (expected) r.expected_next = stream_index{*expected};
  r.events.push_back(R"({"type":"test","n":)" + std::to_string(n) + "}");
  return r;
}


// One append held in the writer by `gate` while 100 more queue on 7 streams;
// returns once all 101 are answered. The gate must outlive every later commit.
void queue_100_behind_a_held_write(event_log& log, writer_gate& gate, collected& answers) {
  log.append_async(request("first", 0), answers.slot(-1));
  gate.wait_until_held();
  for (int i = 0; i < 100; ++i)
    log.append_async(request("s" + std::to_string(i % 7), i), answers.slot(i));
  gate.release();
  answers.wait_for(101);
}

TEST(group_commit, requests_queued_during_a_write_share_one_batch) {
  temp_dir dir;
  auto log = event_log::open({dir.path(), durability::fsync}).value();
  writer_gate gate(*log);
  collected answers;
  queue_100_behind_a_held_write(*log, gate, answers);
  for (auto& [id, r] : answers.results)
    EXPECT_TRUE(r) << id;
  auto stats = log->stats();
  EXPECT_EQ(stats.batches, 2u);
  EXPECT_EQ(stats.requests, 101u);
  EXPECT_EQ(stats.events, 101u);
  EXPECT_LT(stats.batches, stats.requests);
}

TEST(group_commit, histograms_observe_each_committed_batch) {
  temp_dir dir;
  auto log = event_log::open({dir.path(), durability::fsync}).value();
  writer_gate gate(*log);
  collected answers;
  queue_100_behind_a_held_write(*log, gate, answers);
  append_request projections_only;
  projections_only.projections.push_back({std::string(families::meta), "k", "v"});
  ASSERT_TRUE(log->append(std::move(projections_only)));
  ASSERT_FALSE(log->append(request("s0", 0, 0)));  // rejected: nothing written

  auto stats = log->stats();
  EXPECT_EQ(stats.batches, 3u);
  // Batches of 1, 100 and 0 events.
  EXPECT_EQ(stats.batch_events.count, stats.batches);
  EXPECT_EQ(stats.batch_events.sum, static_cast<double>(stats.events));
  EXPECT_EQ(stats.batch_events.le, batch_events_bounds);
  std::array<std::uint64_t, 10> expected{2, 2, 2, 2, 2, 2, 2, 3, 3, 3};
  EXPECT_EQ(stats.batch_events.cumulative, expected);

  EXPECT_EQ(stats.commit_seconds.count, stats.batches);
  EXPECT_EQ(stats.commit_seconds.cumulative.back(), stats.batches);
  EXPECT_GT(stats.commit_seconds.sum, 0.0);
  for (std::size_t i = 1; i < stats.commit_seconds.cumulative.size(); ++i)
    EXPECT_LE(stats.commit_seconds.cumulative[i - 1], stats.commit_seconds.cumulative[i]);
}

TEST(group_commit, a_wrong_expected_index_fails_alone_in_its_batch) {
  temp_dir dir;
  auto log = event_log::open({dir.path(), durability::fsync}).value();
  writer_gate gate(*log);
  collected answers;
  log->append_async(request("s", 0, 0), answers.slot(0));
  gate.wait_until_held();
  log->append_async(request("s", 1, 1), answers.slot(1));  // right
  log->append_async(request("s", 2, 1), answers.slot(2));  // stale: 1 is taken
  log->append_async(request("s", 3, 2), answers.slot(3));  // right after 1
  log->append_async(request("t", 4, 5), answers.slot(4));  // wrong, other stream
  log->append_async(request("t", 5, 0), answers.slot(5));  // right
  gate.release();
  answers.wait_for(6);
  EXPECT_EQ(log->stats().batches, 2u);
  auto& results = answers.results;
  ASSERT_TRUE(results.at(1));
  EXPECT_EQ((*results.at(1))[0].index.value(), 1u);
  ASSERT_FALSE(results.at(2));
  EXPECT_EQ(results.at(2).error().code, "wrong_expected_index");
  EXPECT_NE(results.at(2).error().message.find("expected next index 1 but it is 2"),
            std::string::npos) << results.at(2).error().message;
  ASSERT_TRUE(results.at(3));
  EXPECT_EQ((*results.at(3))[0].index.value(), 2u);
  ASSERT_FALSE(results.at(4));
  EXPECT_NE(results.at(4).error().message.find("expected next index 5 but it is 0"),
            std::string::npos);
  ASSERT_TRUE(results.at(5));
  EXPECT_EQ((*results.at(5))[0].index.value(), 0u);
  EXPECT_EQ(log->read_stream("s", stream_index{0})->size(), 3u);
  EXPECT_EQ(log->stats().events, 4u);
}

TEST(group_commit, concurrent_appenders_to_one_stream_get_one_total_order) {
  temp_dir dir;
  auto log = event_log::open({dir.path(), durability::buffered}).value();
  constexpr int threads = 8;
  constexpr int per_thread = 200;
  std::vector<std::vector<stream_index>> indexes(threads);
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t)
    workers.emplace_back([&, t] {
      for (int i = 0; i < per_thread; ++i) {
        auto r = log->append(request("shared", t * per_thread + i));
        ASSERT_TRUE(r);
        indexes[t].push_back((*r)[0].index);
      }
    });
  for (auto& w : workers)
    w.join();
  std::set<stream_index> all;
  for (auto& own : indexes) {
    EXPECT_TRUE(std::is_sorted(own.begin(), own.end()));  // a caller's order kept
    all.insert(own.begin(), own.end());
  }
  ASSERT_EQ(all.size(), std::size_t{threads * per_thread});
  EXPECT_EQ(*all.rbegin(), stream_index{threads * per_thread - 1});
  EXPECT_TRUE(log->audit("shared")->valid);
}

TEST(group_commit, listener_sees_global_order_before_callbacks) {
  temp_dir dir;
  auto log = event_log::open({dir.path(), durability::buffered}).value();
  std::vector<global_position> heard;  // writer thread only until joined
  log->set_commit_listener([&](const std::vector<committed_event>& batch) {
    for (auto& e : batch)
      heard.push_back(e.position);
  });
  std::atomic<bool> callback_before_listener{false};
  std::vector<std::thread> workers;
  for (int t = 0; t < 4; ++t)
    workers.emplace_back([&, t] {
      for (int i = 0; i < 100; ++i) {
        std::promise<void> done;
        log->append_async(request("s" + std::to_string(t), i), [&](append_result r) {
          // Runs on the writer thread, after the listener for its batch.
          if (!r || std::find(heard.begin(), heard.end(), (*r)[0].position) == heard.end())
            callback_before_listener = true;
          done.set_value();
        });
        done.get_future().wait();
      }
    });
  for (auto& w : workers)
    w.join();
  log->close();
  EXPECT_FALSE(callback_before_listener);
  ASSERT_EQ(heard.size(), 400u);
  for (std::size_t i = 0; i < heard.size(); ++i)
    EXPECT_EQ(heard[i], global_position{i});
  auto global = log->read_global(global_position{0}, 1000);
  ASSERT_EQ(global->size(), 400u);
}

TEST(group_commit, a_request_commits_all_its_events_together) {
  temp_dir dir;
  auto log = event_log::open({dir.path(), durability::fsync}).value();
  auto r = request("s", 0);
  r.events.push_back(R"({"type":"test","n":1})");
  r.events.push_back(R"({"type":"test","n":2})");
  auto first = log->append(request("other", 9));
  auto appended = log->append(std::move(r));
  ASSERT_TRUE(appended);
  ASSERT_EQ(appended->size(), 3u);
  for (std::size_t i = 0; i < 3; ++i) {
    EXPECT_EQ((*appended)[i].index.value(), i);
    EXPECT_EQ((*appended)[i].position.value(), i + 1);
  }
}

TEST(group_commit, close_answers_queued_appends_then_refuses) {
  temp_dir dir;
  auto log = event_log::open({dir.path(), durability::fsync}).value();
  writer_gate gate(*log);
  collected answers;
  log->append_async(request("s", 0), answers.slot(0));
  gate.wait_until_held();
  log->append_async(request("s", 1), answers.slot(1));
  std::thread closer([&] { log->close(); });
  gate.release();
  closer.join();
  answers.wait_for(2);
  EXPECT_TRUE(answers.results.at(1));  // queued before close: committed
  auto late = log->append(request("s", 2));
  ASSERT_FALSE(late);
  EXPECT_EQ(late.error().code, "log_closed");
  EXPECT_EQ(log->read_stream("s", stream_index{0})->size(), 2u);  // reads still work
}

} // namespace
} // namespace baley::storage
