// Reader threads; see reader_pool.hpp.
#include "http/reader_pool.hpp"

#include <algorithm>

namespace baley::http {

reader_pool::reader_pool(std::size_t threads) {
  for (std::size_t i = 0; i < std::max<std::size_t>(1, threads); ++i)
    threads_.emplace_back([this] { serve(); });
}

reader_pool::~reader_pool() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  ready_.notify_all();
  for (auto& t : threads_)
    t.join();
}

void reader_pool::run(std::function<void()> work) {
  {
    std::lock_guard lock(mutex_);
    queue_.push_back(std::move(work));
  }
  ready_.notify_one();
}

void reader_pool::serve() {
  for (;;) {
    std::function<void()> work;
    {
      std::unique_lock lock(mutex_);
      ready_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty())
        return;
      work = std::move(queue_.front());
      queue_.pop_front();
    }
    work();
  }
}

} // namespace baley::http
