// Test helpers for the log's writer thread: a gate that holds the writer in
// its first batch's listener, and a collector of append callbacks.
#pragma once

#include "storage/event_log.hpp"

#include <condition_variable>
#include <future>
#include <map>
#include <mutex>

namespace baley::storage::testing {

using append_result = result<std::vector<committed_event>>;

// Holds the writer inside the listener of its first batch until released, so
// that everything appended meanwhile is queued for the next batch: batching
// is then deterministic, with no sleeps.
class writer_gate {
public:
  explicit writer_gate(event_log& log) {
    log.set_commit_listener([this](const std::vector<committed_event>&) {
      if (first_) {
        first_ = false;
        entered_.set_value();
        release_future_.wait();
      }
    });
  }
  void wait_until_held() { entered_.get_future().wait(); }
  void release() { release_.set_value(); }

private:
  bool first_ = true;  // writer thread only
  std::promise<void> entered_;
  std::promise<void> release_;
  std::shared_future<void> release_future_ = release_.get_future().share();
};

struct collected {
  std::mutex mutex;
  std::map<int, append_result> results;
  std::condition_variable done;

  append_callback slot(int id) {
    return [this, id](append_result r) {
      std::lock_guard lock(mutex);
      results.emplace(id, std::move(r));
      done.notify_all();
    };
  }
  void wait_for(std::size_t count) {
    std::unique_lock lock(mutex);
    done.wait(lock, [&] { return results.size() >= count; });
  }
};

} // namespace baley::storage::testing
