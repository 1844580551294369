// Wakes callers blocked in event_log::append() from a thread of its own, so
// the writer thread pays no futex syscall per caller, only one per batch.
#pragma once
//
// Threads: wait() runs on the caller; the callback it hands out may run on any
// thread (the writer, or the caller itself after close) and only records the
// answer; the relay thread then wakes the caller. One waiter per thread
// (thread_local), so a late wake never touches freed memory.

#include "storage/event_log.hpp"

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>

namespace baley::storage {

class wake_relay {
public:
  using answer = result<std::vector<committed_event>>;

  wake_relay();
  ~wake_relay();  // joins the relay thread; no wait() may be running
  wake_relay(const wake_relay&) = delete;
  wake_relay& operator=(const wake_relay&) = delete;

  // Calls start(done) and blocks until done has been called.
  answer wait(const std::function<void(append_callback)>& start);

private:
  struct waiter {
    std::atomic<std::uint32_t> ready{0};
    std::optional<answer> value;
  };
  void post(waiter* w);
  void run();

  std::mutex mutex_;
  std::condition_variable wake_;
  std::vector<waiter*> ready_;
  bool stopping_ = false;
  std::thread thread_;
};

} // namespace baley::storage
