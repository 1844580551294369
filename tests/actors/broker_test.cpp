// The broker over a real event log: stream and "$all" subscribers get committed
// events in order and nothing else; dead and unsubscribed subscribers get none.
#include "actors/broker.hpp"

#include "actor_harness.hpp"

#include <caf/all.hpp>

namespace baley::actors {
namespace {

using namespace testing;

class broker_test : public ::testing::Test {
protected:
  void SetUp() override {
    auto opened = storage::event_log::open({dir_.path(), storage::durability::buffered});
    ASSERT_TRUE(opened) << opened.error().message;
    log_ = std::move(opened).value();
    broker_ = spawn_broker(system_.get());
    connect_log_to_broker(*log_, broker_);
  }

  void TearDown() override {
    caf::anon_send_exit(broker_, caf::exit_reason::user_shutdown);
    log_->close();
  }

  void subscribe(caf::scoped_actor& who, const std::string& stream) {
    bool answered = false;
    who->request(broker_, patience, subscribe_atom::value, stream,
                 caf::actor_cast<caf::actor>(who))
      .receive([&](caf::atom_value) { answered = true; },
               [&](caf::error& e) { ADD_FAILURE() << system_.get().render(e); });
    ASSERT_TRUE(answered);
  }

  // Once this returns, the broker has handled everything sent to it before,
  // including every batch committed so far (the log tells the broker before
  // it answers an append), so its deliveries to `who` are in who's mailbox.
  void barrier(caf::scoped_actor& who) { subscribe(who, "barrier"); }

  void append(const std::string& stream, std::vector<std::string> events) {
    storage::append_request request{stream, std::nullopt, std::move(events), {}};
    auto committed = log_->append(std::move(request));
    ASSERT_TRUE(committed) << committed.error().message;
  }

  // Receives `count` events; fails the test if they do not come in time.
  std::vector<shared_event> receive_events(caf::scoped_actor& who, std::size_t count) {
    std::vector<shared_event> got;
    bool timed_out = false;
    who->receive_while([&] { return got.size() < count && !timed_out; })(
      [&](event_atom, const shared_event& e) { got.push_back(e); },
      caf::after(patience) >> [&] { timed_out = true; });
    EXPECT_FALSE(timed_out) << "got " << got.size() << " of " << count << " events";
    return got;
  }

  // The events already in who's mailbox (call after barrier()).
  std::vector<shared_event> pending_events(caf::scoped_actor& who) {
    std::vector<shared_event> got;
    bool empty = false;
    who->receive_while([&] { return !empty; })(
      [&](event_atom, const shared_event& e) { got.push_back(e); },
      caf::after(std::chrono::milliseconds(0)) >> [&] { empty = true; });
    return got;
  }

  temp_dir dir_;
  two_thread_system system_;
  std::unique_ptr<storage::event_log> log_;
  caf::actor broker_;
};

const std::string event_a = R"({"type":"test","n":1})";

TEST_F(broker_test, stream_subscriber_gets_its_events_in_index_order_and_no_others) {
  caf::scoped_actor self{system_.get()};
  subscribe(self, "exec/a");
  append("exec/a", {event_a, event_a});
  append("exec/b", {event_a});
  append("exec/a", {event_a});
  append("exec/b", {event_a, event_a});
  append("exec/a", {event_a});

  auto got = receive_events(self, 4);
  barrier(self);
  auto extra = pending_events(self);

  ASSERT_EQ(got.size(), 4u);
  for (std::size_t i = 0; i < got.size(); ++i) {
    EXPECT_EQ(got[i]->stream, "exec/a");
    EXPECT_EQ(got[i]->index, i);
  }
  EXPECT_TRUE(extra.empty()) << "first extra event from " << extra.front()->stream;
}

TEST_F(broker_test, all_subscriber_gets_every_event_in_global_order) {
  caf::scoped_actor self{system_.get()};
  subscribe(self, std::string(all_streams));
  append("exec/a", {event_a});
  append("flow/f", {event_a, event_a});
  append("exec/b", {event_a});
  append("exec/a", {event_a});

  auto got = receive_events(self, 5);
  auto global = log_->read_global(0, 100);
  ASSERT_TRUE(global) << global.error().message;

  ASSERT_EQ(got.size(), global->size());
  for (std::size_t i = 0; i < got.size(); ++i) {
    EXPECT_EQ(got[i]->position, (*global)[i].position);
    EXPECT_EQ(got[i]->stream, (*global)[i].stream);
    EXPECT_EQ(got[i]->index, (*global)[i].index);
    EXPECT_EQ(got[i]->record, (*global)[i].record);
  }
}

TEST_F(broker_test, terminated_subscriber_is_dropped_and_others_keep_receiving) {
  caf::scoped_actor self{system_.get()};
  subscribe(self, "exec/a");
  // One subscriber quits after its first event, another is gone before any.
  auto quitter = system_.get().spawn([](caf::event_based_actor* a) -> caf::behavior {
    return {[a](event_atom, const shared_event&) { a->quit(); }};
  });
  caf::scoped_actor tester{system_.get()};
  tester->request(broker_, patience, subscribe_atom::value, std::string("exec/a"), quitter)
    .receive([](caf::atom_value) {}, [](caf::error&) { ADD_FAILURE(); });
  {
    caf::scoped_actor gone{system_.get()};
    subscribe(gone, "exec/a");
  }
  tester->monitor(quitter);

  append("exec/a", {event_a});
  bool quitter_down = false;
  tester->receive([&](caf::down_msg&) { quitter_down = true; },
                  caf::after(patience) >> [] {});
  ASSERT_TRUE(quitter_down);
  append("exec/a", {event_a, event_a});

  auto got = receive_events(self, 3);
  ASSERT_EQ(got.size(), 3u);
  EXPECT_EQ(got[2]->index, 2u);
  barrier(self);  // the broker is alive and still answers
}

TEST_F(broker_test, unsubscribe_stops_delivery) {
  caf::scoped_actor leaving{system_.get()};
  caf::scoped_actor staying{system_.get()};
  subscribe(leaving, "exec/a");
  subscribe(staying, "exec/a");
  append("exec/a", {event_a});
  EXPECT_EQ(receive_events(leaving, 1).size(), 1u);
  EXPECT_EQ(receive_events(staying, 1).size(), 1u);

  leaving->send(broker_, unsubscribe_atom::value, std::string("exec/a"),
                caf::actor_cast<caf::actor>(leaving));
  barrier(leaving);  // the unsubscribe is handled
  append("exec/a", {event_a, event_a});

  auto got = receive_events(staying, 2);
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[1]->index, 2u);
  barrier(leaving);
  EXPECT_TRUE(pending_events(leaving).empty());
}

} // namespace
} // namespace baley::actors
