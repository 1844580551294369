// The shared breaker board over a real event log: breakers are created with
// the first asker's settings, only retryable failures count, and every
// transition is a breaker_changed event on system/breakers, in order.
#include "actors/breaker_board.hpp"

#include "runtime/ops/ops_events.hpp"
#include "runtime/stream_names.hpp"
#include "tests/storage/temp_dir.hpp"

#include <gtest/gtest.h>

namespace baley::actors {
namespace {

using runtime::breaker_key;
using runtime::breaker_settings;
using runtime::breaker_state;

class breaker_board_test : public ::testing::Test {
protected:
  void SetUp() override {
    auto opened = storage::event_log::open({dir_.path(), storage::durability::buffered});
    ASSERT_TRUE(opened) << opened.error().message;
    log_ = std::move(opened).value();
    board_ = std::make_unique<breaker_board>(*log_);
  }

  void TearDown() override { log_->close(); }

  // The transitions written so far. The board appends asynchronously; a
  // synchronous append after them returns once the writer, which takes
  // requests in order, has committed them.
  std::vector<runtime::breaker_changed> written() {
    EXPECT_TRUE(log_->append({.stream = "test/fence", .events = {R"({"type":"fence"})"}}));
    auto events = log_->read_stream(names::breakers_stream, stream_index{0});
    EXPECT_TRUE(events) << events.error().message;
    std::vector<runtime::breaker_changed> out;
    for (const auto& e : *events) {
      auto parsed = runtime::parse_ops_event(storage::event_bytes(e.record));
      EXPECT_TRUE(parsed) << parsed.error().message;
      if (parsed)
        out.push_back(std::get<runtime::breaker_changed>(parsed->payload));
    }
    return out;
  }

  storage::testing::temp_dir dir_;
  std::unique_ptr<storage::event_log> log_;
  std::unique_ptr<breaker_board> board_;
  const breaker_key key_{"conn-1", "gpt-4o-mini"};
  const breaker_settings two_failures_{.failure_threshold = 2, .window_ms = 1'000,
                                       .cooldown_ms = 500};
};

TEST_F(breaker_board_test, opens_at_the_threshold_and_writes_each_transition_in_order) {
  EXPECT_TRUE(board_->ask(key_, two_failures_, 1'000).allowed);
  board_->record(key_, true, 1'010);
  EXPECT_TRUE(board_->ask(key_, two_failures_, 1'020).allowed);
  board_->record(key_, true, 1'030);  // second failure: opens

  auto refused = board_->ask(key_, two_failures_, 1'100);
  EXPECT_FALSE(refused.allowed);
  EXPECT_EQ(refused.retry_at, 1'530);

  auto probe = board_->ask(key_, two_failures_, 1'600);  // cooldown over
  EXPECT_TRUE(probe.allowed);
  EXPECT_TRUE(probe.probe);
  board_->record(key_, false, 1'650);  // the probe got an answer: closes

  auto changes = written();
  ASSERT_EQ(changes.size(), 3u);
  EXPECT_EQ(changes[0].connection_id, "conn-1");
  EXPECT_EQ(changes[0].model, "gpt-4o-mini");
  EXPECT_EQ(changes[0].from, breaker_state::closed);
  EXPECT_EQ(changes[0].to, breaker_state::open);
  EXPECT_EQ(changes[1].from, breaker_state::open);
  EXPECT_EQ(changes[1].to, breaker_state::half_open);
  EXPECT_EQ(changes[2].from, breaker_state::half_open);
  EXPECT_EQ(changes[2].to, breaker_state::closed);
}

TEST_F(breaker_board_test, failures_that_are_not_retryable_do_not_count) {
  for (int i = 0; i < 5; ++i) {
    EXPECT_TRUE(board_->ask(key_, two_failures_, 1'000 + i).allowed);
    board_->record(key_, false, 1'000 + i);
  }
  EXPECT_TRUE(written().empty());
  auto states = board_->states(2'000);
  ASSERT_EQ(states.size(), 1u);
  EXPECT_EQ(states[0].state, breaker_state::closed);
}

TEST_F(breaker_board_test, the_first_askers_settings_make_the_breaker) {
  const breaker_settings one_failure{.failure_threshold = 1, .cooldown_ms = 500};
  board_->ask(key_, two_failures_, 1'000);
  board_->ask(key_, one_failure, 1'000);  // the breaker exists: these are ignored
  board_->record(key_, true, 1'010);
  EXPECT_TRUE(board_->ask(key_, one_failure, 1'020).allowed) << "one failure is not two";
  EXPECT_TRUE(written().empty());
}

TEST_F(breaker_board_test, gauges_are_per_connection_and_model_and_read_open_as_half_open_later) {
  const breaker_key other{"conn-1", "gpt-4o"};
  board_->ask(key_, two_failures_, 1'000);
  board_->ask(other, two_failures_, 1'000);
  board_->record(key_, true, 1'000);
  board_->record(key_, true, 1'001);
  auto at = [&](unix_ms now) {
    std::map<std::string, breaker_state> by_model;
    for (const auto& g : board_->states(now))
      by_model[g.key.model] = g.state;
    return by_model;
  };
  EXPECT_EQ(at(1'100), (std::map<std::string, breaker_state>{
                         {"gpt-4o", breaker_state::closed}, {"gpt-4o-mini", breaker_state::open}}));
  EXPECT_EQ(at(1'600)["gpt-4o-mini"], breaker_state::half_open);
}

TEST_F(breaker_board_test, an_abandoned_probe_lets_the_next_call_probe) {
  board_->ask(key_, two_failures_, 1'000);
  board_->record(key_, true, 1'000);
  board_->record(key_, true, 1'001);
  EXPECT_TRUE(board_->ask(key_, two_failures_, 1'600).probe);
  EXPECT_FALSE(board_->ask(key_, two_failures_, 1'610).allowed) << "one probe at a time";
  board_->abandon(key_);
  EXPECT_TRUE(board_->ask(key_, two_failures_, 1'620).probe);
}

} // namespace
} // namespace baley::actors
