// The actor tests' world: CAF's deterministic test coordinator, whose only
// thread is the test's; a clock that reads the coordinator's time; and a
// delivery that holds what other threads (the log writer, the jq sandbox)
// send to actors until this thread hands it over. run() turns the crank until
// nothing moves: no actor has work, the log's writer and the sandbox have
// answered everything asked of them, and nothing waits to be handed over.
// Time moves only by advance(). Nothing sleeps.
#pragma once

#include "actors/clock.hpp"
#include "actors/delivery.hpp"
#include "sandbox/jq_pool.hpp"
#include "storage/event_log.hpp"

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/scheduler/test_coordinator.hpp>
#include <caf/send.hpp>

#include <gtest/gtest.h>

#include <chrono>
#include <deque>
#include <mutex>
#include <optional>

namespace baley::actors::testing {

// Messages from other threads, held until hand_over() on the test thread.
class held_delivery final : public delivery {
public:
  void post(caf::actor to, caf::message message) override {
    std::lock_guard lock(mutex_);
    held_.emplace_back(std::move(to), std::move(message));
  }

  // Sends what was held; how many.
  std::size_t hand_over() {
    std::deque<std::pair<caf::actor, caf::message>> now;
    {
      std::lock_guard lock(mutex_);
      now.swap(held_);
    }
    for (auto& [to, message] : now)
      if (to)
        caf::anon_send(to, std::move(message));
    return now.size();
  }

private:
  std::mutex mutex_;
  std::deque<std::pair<caf::actor, caf::message>> held_;
};

// The coordinator's clock as Unix milliseconds, from a fixed start.
class coordinator_clock final : public clock {
public:
  static constexpr unix_ms start = 1'767'225'600'000;  // 2026-01-01T00:00:00Z

  explicit coordinator_clock(caf::scheduler::test_coordinator& sched)
    : sched_(sched), origin_(sched.clock().current_time) {}

  unix_ms now() const override {
    using namespace std::chrono;
    return start + duration_cast<milliseconds>(sched_.clock().current_time - origin_).count();
  }

private:
  caf::scheduler::test_coordinator& sched_;
  caf::actor_clock::time_point origin_;
};

class deterministic {
public:
  deterministic() {
    config_.set("scheduler.policy", caf::atom("testing"));
    config_.set("logger.file-verbosity", caf::atom("quiet"));
    system_.emplace(config_);
    sched_ = &dynamic_cast<caf::scheduler::test_coordinator&>(system_->scheduler());
    clock_ = std::make_shared<coordinator_clock>(*sched_);
  }

  // What the test's own objects asked of the actors as they went (an
  // engine's shutdown stops its broker) is done before the system goes: CAF
  // waits for every actor to end, and on this coordinator only run() ends one.
  ~deterministic() {
    via_->hand_over();
    sched_->run();
  }
  deterministic(const deterministic&) = delete;
  deterministic& operator=(const deterministic&) = delete;

  caf::actor_system& system() { return *system_; }
  caf::scheduler::test_coordinator& sched() { return *sched_; }
  std::shared_ptr<const clock> time() const { return clock_; }
  std::shared_ptr<held_delivery> via() const { return via_; }

  // What run() waits for besides the actors.
  void watch(storage::event_log* log, const sandbox::jq_pool* jq) {
    log_ = log;
    jq_ = jq;
  }

  // Runs until nothing moves (see the top of this file).
  void run() {
    for (int rounds = 0; rounds < 100'000; ++rounds) {
      sched_->run();
      if (log_) {
        // An empty append answers after every earlier one, callbacks included.
        auto barrier = log_->append(storage::append_request{});
        EXPECT_TRUE(barrier) << "the log failed";
      }
      if (jq_) {
        EXPECT_TRUE(jq_->wait_idle(std::chrono::seconds(30))) << "the jq sandbox did not answer";
      }
      if (via_->hand_over() == 0 && !sched_->has_job())
        return;
    }
    ADD_FAILURE() << "the actors never settled";
  }

  // Moves time forward (firing the timers that come due) and runs.
  void advance(std::chrono::milliseconds by) {
    sched_->advance_time(by);
    run();
  }

private:
  caf::actor_system_config config_;
  std::optional<caf::actor_system> system_;
  caf::scheduler::test_coordinator* sched_ = nullptr;
  std::shared_ptr<const clock> clock_;
  std::shared_ptr<held_delivery> via_ = std::make_shared<held_delivery>();
  storage::event_log* log_ = nullptr;
  const sandbox::jq_pool* jq_ = nullptr;
};

} // namespace baley::actors::testing
