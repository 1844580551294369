// Tests of the live-execution registry: lookups, the launch continuation, the
// ?wait= and cancel waiters handed back by finish, and take_all at shutdown.
#include "http/execution_registry.hpp"

#include <gtest/gtest.h>

#include "tests/actors/deterministic.hpp"

#include <caf/actor_cast.hpp>
#include <caf/behavior.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/exit_reason.hpp>
#include <caf/send.hpp>

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace baley::http {
namespace {

// Two actors that do nothing, on CAF's deterministic coordinator: handles the
// registry can be checked to hand back. Stopped before the system goes.
class two_actors {
public:
  two_actors() {
    for (auto* slot : {&a, &b}) {
      auto idle = world_.system().spawn([](caf::event_based_actor*) -> caf::behavior {
        return {[](int) {}};
      });
      raw_.push_back(idle);
      *slot = caf::actor_cast<actors::execution_actor>(idle);
    }
    world_.run();
  }
  ~two_actors() {
    a = nullptr;
    b = nullptr;
    for (auto& actor : raw_)
      caf::anon_send_exit(actor, caf::exit_reason::user_shutdown);
    raw_.clear();
    world_.run();
  }
  two_actors(const two_actors&) = delete;
  two_actors& operator=(const two_actors&) = delete;

  actors::execution_actor a;
  actors::execution_actor b;

private:
  actors::testing::deterministic world_;
  std::vector<caf::actor> raw_;
};

api_call_ptr new_call() { return std::make_shared<api_call>(); }

TEST(execution_registry, find_answers_a_live_execution_with_its_actor_and_workspace) {
  two_actors handles;
  ASSERT_NE(handles.a, handles.b);
  execution_registry registry;
  EXPECT_EQ(registry.find("e1"), nullptr);
  registry.add("e1", handles.a, "ws1");
  registry.add("e2", handles.b, "ws2");
  const auto* e1 = registry.find("e1");
  ASSERT_NE(e1, nullptr);
  EXPECT_EQ(e1->actor, handles.a);
  EXPECT_EQ(e1->workspace_id, "ws1");
  ASSERT_NE(registry.find("e2"), nullptr);
  EXPECT_EQ(registry.find("e2")->actor, handles.b);
  EXPECT_EQ(registry.find("e3"), nullptr);
  // Adding an id again replaces it.
  registry.add("e1", handles.b, "ws3");
  EXPECT_EQ(registry.find("e1")->actor, handles.b);
  EXPECT_EQ(registry.find("e1")->workspace_id, "ws3");
}

TEST(execution_registry, a_launch_continuation_is_taken_once) {
  execution_registry registry;
  EXPECT_FALSE(registry.take_start("e1"));
  std::vector<std::string> heard;
  registry.on_started("e1", [&](const error* failed) {
    heard.push_back(failed ? "e1 failed: " + failed->code : "e1 started");
  });
  registry.on_started("e2", [&](const error*) { heard.push_back("e2"); });
  auto then = registry.take_start("e1");
  ASSERT_TRUE(then);
  EXPECT_FALSE(registry.take_start("e1"));
  (*then)(nullptr);
  error failure{"log_failed", "no", {}};
  (*then)(&failure);
  EXPECT_EQ(heard, (std::vector<std::string>{"e1 started", "e1 failed: log_failed"}));
  // A second continuation for the same id replaces the first.
  registry.on_started("e2", [&](const error*) { heard.push_back("e2 again"); });
  (*registry.take_start("e2"))(nullptr);
  EXPECT_EQ(heard.back(), "e2 again");
}

TEST(execution_registry, drop_wait_is_true_once_for_a_call_still_waiting) {
  execution_registry registry;
  auto first = new_call();
  auto second = new_call();
  EXPECT_FALSE(registry.drop_wait("e1", first));
  registry.wait("e1", first);
  registry.wait("e1", second);
  EXPECT_FALSE(registry.drop_wait("e2", first));
  EXPECT_FALSE(registry.drop_wait("e1", new_call()));
  EXPECT_TRUE(registry.drop_wait("e1", first));
  EXPECT_FALSE(registry.drop_wait("e1", first));
  EXPECT_TRUE(registry.drop_wait("e1", second));
  EXPECT_FALSE(registry.drop_wait("e1", second));
  EXPECT_TRUE(registry.finish("e1").waiting.empty());
}

TEST(execution_registry, finish_hands_back_every_waiter_in_order_and_forgets_the_execution) {
  two_actors handles;
  execution_registry registry;
  registry.add("e1", handles.a, "ws1");
  registry.add("e2", handles.b, "ws1");
  auto w1 = new_call(), w2 = new_call(), w3 = new_call(), c1 = new_call(), other = new_call();
  registry.wait("e1", w1);
  registry.wait("e1", w2);
  registry.wait("e1", w3);
  registry.drop_wait("e1", w2);
  registry.cancelling("e1", c1);
  registry.wait("e2", other);
  bool started = false;
  registry.on_started("e1", [&](const error*) { started = true; });

  auto ended = registry.finish("e1");
  EXPECT_EQ(ended.waiting, (std::vector<api_call_ptr>{w1, w3}));
  EXPECT_EQ(ended.cancelling, (std::vector<api_call_ptr>{c1}));
  ASSERT_TRUE(ended.starting);
  (*ended.starting)(nullptr);
  EXPECT_TRUE(started);
  EXPECT_EQ(registry.find("e1"), nullptr);
  EXPECT_FALSE(registry.take_start("e1"));
  EXPECT_FALSE(registry.drop_wait("e1", w1));

  auto again = registry.finish("e1");
  EXPECT_TRUE(again.waiting.empty());
  EXPECT_TRUE(again.cancelling.empty());
  EXPECT_FALSE(again.starting);
  // The other execution is untouched.
  ASSERT_NE(registry.find("e2"), nullptr);
  EXPECT_EQ(registry.finish("e2").waiting, (std::vector<api_call_ptr>{other}));
}

TEST(execution_registry, finish_of_an_execution_never_added_still_answers_its_waiters) {
  execution_registry registry;
  auto w = new_call();
  registry.wait("e9", w);
  auto ended = registry.finish("e9");
  EXPECT_EQ(ended.waiting, (std::vector<api_call_ptr>{w}));
  EXPECT_TRUE(ended.cancelling.empty());
  EXPECT_FALSE(ended.starting);
}

TEST(execution_registry, take_all_hands_back_every_live_actor_once) {
  two_actors handles;
  execution_registry registry;
  EXPECT_TRUE(registry.take_all().empty());
  registry.add("e2", handles.b, "ws1");
  registry.add("e1", handles.a, "ws2");
  auto all = registry.take_all();
  // In id order.
  EXPECT_EQ(all, (std::vector<actors::execution_actor>{handles.a, handles.b}));
  EXPECT_EQ(registry.find("e1"), nullptr);
  EXPECT_EQ(registry.find("e2"), nullptr);
  EXPECT_TRUE(registry.take_all().empty());
}

} // namespace
} // namespace baley::http
