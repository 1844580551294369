// The API's threads for blocking work: log reads, folds, flow compiles and the
// JSON built from them, never on the actors' scheduler or Asio's threads.
// Work is taken in the order submitted; a work item that throws is a bug in
// it and ends the process (never silently dropped).
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace baley::http {

class reader_pool {
public:
  explicit reader_pool(std::size_t threads);
  ~reader_pool();  // runs what is queued, then joins
  reader_pool(const reader_pool&) = delete;
  reader_pool& operator=(const reader_pool&) = delete;

  // Thread-safe.
  void run(std::function<void()> work);

private:
  void serve();

  std::mutex mutex_;
  std::condition_variable ready_;
  std::deque<std::function<void()>> queue_;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

} // namespace baley::http
