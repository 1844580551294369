// The relay thread: takes every answered waiter posted since it last ran and
// wakes each through its own futex (std::atomic::wait / notify_one).
#include "storage/wake_relay.hpp"

namespace baley::storage {

wake_relay::wake_relay() : thread_([this] { run(); }) {}

wake_relay::~wake_relay() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_one();
  thread_.join();
}

wake_relay::answer wake_relay::wait(const std::function<void(append_callback)>& start) {
  thread_local waiter w;
  w.ready.store(0, std::memory_order_relaxed);
  w.value.reset();
  waiter* self = &w;  // the callback runs on another thread: not its `w`
  start([this, self](answer r) {
    self->value.emplace(std::move(r));
    post(self);
  });
  while (w.ready.load(std::memory_order_acquire) == 0)
    w.ready.wait(0, std::memory_order_acquire);
  return std::move(*w.value);
}

void wake_relay::post(waiter* w) {
  bool was_empty = false;
  {
    std::lock_guard lock(mutex_);
    was_empty = ready_.empty();
    ready_.push_back(w);
  }
  if (was_empty)
    wake_.notify_one();
}

void wake_relay::run() {
  std::vector<waiter*> batch;
  for (;;) {
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [this] { return !ready_.empty() || stopping_; });
      if (ready_.empty())
        return;
      batch.swap(ready_);
    }
    for (auto* w : batch) {
      w->ready.store(1, std::memory_order_release);
      w->ready.notify_one();
    }
    batch.clear();
  }
}

} // namespace baley::storage
