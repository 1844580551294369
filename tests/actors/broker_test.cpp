// The broker over a real event log, on the deterministic coordinator: stream
// and all_streams subscribers get committed events in order and nothing else;
// dead and unsubscribed subscribers get none.
#include "actors/broker.hpp"

#include "actor_harness.hpp"
#include "deterministic.hpp"

namespace baley::actors {
namespace {

using namespace testing;

class broker_test : public ::testing::Test {
protected:
  void SetUp() override {
    auto opened = storage::event_log::open({dir_.path(), storage::durability::buffered});
    ASSERT_TRUE(opened) << opened.error().message;
    log_ = std::move(opened).value();
    broker_ = spawn_broker(world_.system());
    connect_log_to_broker(*log_, broker_, world_.via());
    world_.watch(log_.get(), nullptr);
  }

  void TearDown() override {
    caf::anon_send_exit(broker_, caf::exit_reason::user_shutdown);
    world_.run();
    log_->close();
  }

  void subscribe(caf::scoped_actor& who, const std::string& stream) {
    who->send(broker_, subscribe_atom_v, stream, caf::actor_cast<event_subscriber>(who));
    world_.run();
    bool answered = false;
    who->receive([&](caf::ok_atom) { answered = true; },
                 caf::after(std::chrono::milliseconds(0)) >> [] {});
    EXPECT_TRUE(answered) << "the broker confirms a subscription";
  }

  void append(const std::string& stream, std::vector<std::string> events) {
    auto committed = log_->append({.stream = stream, .events = std::move(events)});
    ASSERT_TRUE(committed) << committed.error().message;
    world_.run();
  }

  std::vector<shared_event> events(caf::scoped_actor& who) {
    return take_all<event_atom, shared_event>(who);
  }

  deterministic world_;
  temp_dir dir_;
  std::unique_ptr<storage::event_log> log_;
  broker_actor broker_;
};

const std::string event_a = R"({"type":"test","n":1})";

TEST_F(broker_test, stream_subscriber_gets_its_events_in_index_order_and_no_others) {
  caf::scoped_actor self{world_.system()};
  subscribe(self, "exec/a");
  append("exec/a", {event_a, event_a});
  append("exec/b", {event_a});
  append("exec/a", {event_a});
  append("exec/b", {event_a, event_a});
  append("exec/a", {event_a});

  auto got = events(self);
  ASSERT_EQ(got.size(), 4u);
  for (std::size_t i = 0; i < got.size(); ++i) {
    EXPECT_EQ(got[i]->stream, "exec/a");
    EXPECT_EQ(got[i]->index.value(), i);
  }
}

TEST_F(broker_test, all_subscriber_gets_every_event_in_global_order) {
  caf::scoped_actor self{world_.system()};
  subscribe(self, std::string(all_streams));
  append("exec/a", {event_a});
  append("flow/f", {event_a, event_a});
  append("exec/b", {event_a});
  append("exec/a", {event_a});

  auto got = events(self);
  auto global = log_->read_global(global_position{0}, 100);
  ASSERT_TRUE(global) << global.error().message;
  ASSERT_EQ(got.size(), global->size());
  ASSERT_EQ(got.size(), 5u);
  for (std::size_t i = 0; i < got.size(); ++i) {
    EXPECT_EQ(got[i]->position, (*global)[i].position);
    EXPECT_EQ(got[i]->stream, (*global)[i].stream);
    EXPECT_EQ(got[i]->index, (*global)[i].index);
    EXPECT_EQ(got[i]->record, (*global)[i].record);
  }
}

TEST_F(broker_test, terminated_subscriber_is_dropped_and_others_keep_receiving) {
  caf::scoped_actor self{world_.system()};
  subscribe(self, "exec/a");
  // One subscriber quits after its first event, another is gone before any.
  auto quitter = world_.system().spawn([](event_subscriber::pointer a)
                                         -> event_subscriber::behavior_type {
    return {[a](event_atom, const shared_event&) { a->quit(); }};
  });
  subscribe(self, "exec/a");  // idempotent: self stays one subscriber
  caf::scoped_actor tester{world_.system()};
  tester->send(broker_, subscribe_atom_v, std::string("exec/a"), quitter);
  {
    caf::scoped_actor gone{world_.system()};
    subscribe(gone, "exec/a");
  }
  tester->monitor(quitter);
  world_.run();

  append("exec/a", {event_a});
  bool quitter_down = false;
  tester->receive([&](caf::down_msg&) { quitter_down = true; },
                  caf::after(std::chrono::milliseconds(0)) >> [] {});
  ASSERT_TRUE(quitter_down);
  append("exec/a", {event_a, event_a});

  auto got = events(self);
  ASSERT_EQ(got.size(), 3u) << "once each, though subscribed twice";
  EXPECT_EQ(got[2]->index.value(), 2u);
}

TEST_F(broker_test, unsubscribe_stops_delivery) {
  caf::scoped_actor leaving{world_.system()};
  caf::scoped_actor staying{world_.system()};
  subscribe(leaving, "exec/a");
  subscribe(staying, "exec/a");
  append("exec/a", {event_a});
  EXPECT_EQ(events(leaving).size(), 1u);
  EXPECT_EQ(events(staying).size(), 1u);

  leaving->send(broker_, unsubscribe_atom_v, std::string("exec/a"),
                caf::actor_cast<event_subscriber>(leaving));
  world_.run();
  append("exec/a", {event_a, event_a});

  auto got = events(staying);
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[1]->index.value(), 2u);
  EXPECT_TRUE(events(leaving).empty());
}

} // namespace
} // namespace baley::actors
