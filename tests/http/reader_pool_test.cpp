// Tests of the reader threads: work runs off the caller's thread, in the order
// submitted, and everything queued (even work queued by work) runs before the
// destructor returns.
#include "http/reader_pool.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

namespace baley::http {
namespace {

TEST(reader_pool, one_thread_runs_the_work_in_the_order_submitted) {
  std::vector<int> order;  // written by the one reader thread only
  {
    reader_pool pool(1);
    for (int i = 0; i < 100; ++i)
      pool.run([&order, i] { order.push_back(i); });
  }  // the destructor runs what is queued, then joins
  ASSERT_EQ(order.size(), 100u);
  for (int i = 0; i < 100; ++i)
    EXPECT_EQ(order[static_cast<std::size_t>(i)], i);
}

TEST(reader_pool, zero_threads_means_one) {
  std::atomic<int> ran{0};
  std::thread::id where;
  {
    reader_pool pool(0);
    pool.run([&] {
      where = std::this_thread::get_id();
      ++ran;
    });
  }
  EXPECT_EQ(ran.load(), 1);
  EXPECT_NE(where, std::this_thread::get_id());
}

TEST(reader_pool, every_item_runs_once_on_a_reader_thread) {
  std::atomic<int> ran{0};
  std::mutex mutex;
  std::set<std::thread::id> threads;
  {
    reader_pool pool(4);
    for (int i = 0; i < 1000; ++i)
      pool.run([&] {
        ++ran;
        std::lock_guard lock(mutex);
        threads.insert(std::this_thread::get_id());
      });
  }
  EXPECT_EQ(ran.load(), 1000);
  EXPECT_GE(threads.size(), 1u);
  EXPECT_LE(threads.size(), 4u);
  EXPECT_EQ(threads.count(std::this_thread::get_id()), 0u);
}

TEST(reader_pool, work_queued_by_work_during_shutdown_still_runs) {
  std::vector<std::string> order;
  {
    std::optional<reader_pool> pool;
    pool.emplace(1);
    auto* p = &*pool;
    pool->run([&order, p] {
      order.push_back("first");
      p->run([&order, p] {
        order.push_back("second");
        p->run([&order] { order.push_back("third"); });
      });
    });
    pool.reset();
  }
  EXPECT_EQ(order, (std::vector<std::string>{"first", "second", "third"}));
}

} // namespace
} // namespace baley::http
