// Tests for runtime/circuit_breaker: opening after N failures in the window,
// failing fast, the single half-open probe, closing and reopening, settings.
#include "runtime/resilience/circuit_breaker.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>

namespace baley::runtime {
namespace {

namespace json = boost::json;

constexpr unix_ms t0 = 1'700'000'000'000;
const breaker_settings three{3, 10'000, 5'000};

using state = breaker_state;

breaker_transition moved(state from, state to, unix_ms at) { return {from, to, at}; }

// Three failures 1 s apart: opens at t0 + 2000.
circuit_breaker opened() {
  circuit_breaker b(three);
  EXPECT_FALSE(b.record_failure(t0));
  EXPECT_FALSE(b.record_failure(t0 + 1000));
  EXPECT_EQ(b.record_failure(t0 + 2000), moved(state::closed, state::open, t0 + 2000));
  return b;
}

TEST(circuit_breaker, starts_closed_and_allows) {
  circuit_breaker b(three);
  EXPECT_EQ(b.current(t0), state::closed);
  auto p = b.ask(t0);
  EXPECT_TRUE(p.allowed);
  EXPECT_FALSE(p.probe);
  EXPECT_FALSE(p.transition);
}

TEST(circuit_breaker, opens_after_threshold_failures_within_the_window) {
  auto b = opened();
  EXPECT_EQ(b.current(t0 + 2000), state::open);
}

TEST(circuit_breaker, failures_spread_beyond_the_window_do_not_open) {
  circuit_breaker b(three);
  for (int i = 0; i < 10; ++i)
    EXPECT_FALSE(b.record_failure(t0 + i * 5'000)) << i;  // two per window at most
  EXPECT_EQ(b.current(t0 + 50'000), state::closed);
  EXPECT_EQ(b.recent_failures(t0 + 45'000), 2u);
  // The window is half-open at its far end: a failure exactly window_ms old
  // no longer counts.
  circuit_breaker c(three);
  c.record_failure(t0);
  c.record_failure(t0 + 5'000);
  EXPECT_FALSE(c.record_failure(t0 + 10'000));
  EXPECT_TRUE(c.record_failure(t0 + 10'001));
}

TEST(circuit_breaker, successes_do_not_reset_the_count_in_the_window) {
  circuit_breaker b(three);
  b.record_failure(t0);
  EXPECT_FALSE(b.record_success(t0 + 1));
  b.record_failure(t0 + 2);
  EXPECT_FALSE(b.record_success(t0 + 3));
  EXPECT_TRUE(b.record_failure(t0 + 4));
}

TEST(circuit_breaker, fails_fast_while_open) {
  auto b = opened();
  for (unix_ms t : {t0 + 2000, t0 + 3000, t0 + 6999}) {
    auto p = b.ask(t);
    EXPECT_FALSE(p.allowed) << t;
    EXPECT_EQ(p.retry_at, t0 + 7000);
    EXPECT_NE(p.reason.find("open"), std::string::npos) << p.reason;
    EXPECT_FALSE(p.transition);
  }
  // Results of calls let through before it opened change nothing.
  EXPECT_FALSE(b.record_success(t0 + 3000));
  EXPECT_FALSE(b.record_failure(t0 + 3000));
  EXPECT_EQ(b.current(t0 + 6999), state::open);
}

TEST(circuit_breaker, half_open_after_the_cooldown_lets_one_probe_through) {
  auto b = opened();
  EXPECT_EQ(b.current(t0 + 7000), state::half_open);
  auto probe = b.ask(t0 + 8000);
  EXPECT_TRUE(probe.allowed);
  EXPECT_TRUE(probe.probe);
  // The change happened at the end of the cooldown; the ask reports it.
  EXPECT_EQ(probe.transition, moved(state::open, state::half_open, t0 + 7000));
  for (unix_ms t : {t0 + 8000, t0 + 9000}) {
    auto other = b.ask(t);
    EXPECT_FALSE(other.allowed);
    EXPECT_FALSE(other.transition);
    EXPECT_NE(other.reason.find("probe"), std::string::npos) << other.reason;
    EXPECT_GT(other.retry_at, t);
  }
}

TEST(circuit_breaker, closes_on_the_probes_success) {
  auto b = opened();
  ASSERT_TRUE(b.ask(t0 + 8000).probe);
  EXPECT_EQ(b.record_success(t0 + 8500), moved(state::half_open, state::closed, t0 + 8500));
  EXPECT_EQ(b.current(t0 + 8500), state::closed);
  EXPECT_TRUE(b.ask(t0 + 8501).allowed);
  // The count starts again from zero.
  EXPECT_FALSE(b.record_failure(t0 + 8600));
  EXPECT_FALSE(b.record_failure(t0 + 8700));
  EXPECT_TRUE(b.record_failure(t0 + 8800));
}

TEST(circuit_breaker, reopens_on_the_probes_failure_with_a_new_cooldown) {
  auto b = opened();
  ASSERT_TRUE(b.ask(t0 + 8000).probe);
  EXPECT_EQ(b.record_failure(t0 + 8500), moved(state::half_open, state::open, t0 + 8500));
  auto p = b.ask(t0 + 9000);
  EXPECT_FALSE(p.allowed);
  EXPECT_EQ(p.retry_at, t0 + 13'500);
  EXPECT_EQ(b.current(t0 + 13'499), state::open);
  auto again = b.ask(t0 + 13'500);
  EXPECT_TRUE(again.probe);
  EXPECT_EQ(again.transition, moved(state::open, state::half_open, t0 + 13'500));
}

TEST(circuit_breaker, results_without_a_probe_out_do_not_close_half_open) {
  auto b = opened();
  // Noticed by record_success: reported, but no probe was out.
  EXPECT_EQ(b.record_success(t0 + 9000), moved(state::open, state::half_open, t0 + 7000));
  EXPECT_EQ(b.current(t0 + 9000), state::half_open);
  EXPECT_FALSE(b.record_failure(t0 + 9001));
  EXPECT_TRUE(b.ask(t0 + 9002).probe);
}

TEST(circuit_breaker, an_abandoned_or_lost_probe_frees_the_slot) {
  auto b = opened();
  ASSERT_TRUE(b.ask(t0 + 8000).probe);
  b.abandon_probe();
  ASSERT_TRUE(b.ask(t0 + 8001).probe);
  EXPECT_FALSE(b.ask(t0 + 8002).allowed);
  auto lost = b.ask(t0 + 8001 + three.probe_timeout_ms);
  EXPECT_TRUE(lost.probe);
}

TEST(circuit_breaker, a_full_cycle_reports_every_transition) {
  circuit_breaker b(breaker_settings{1, 1000, 100});
  std::vector<breaker_transition> seen;
  auto keep = [&](std::optional<breaker_transition> t) {
    if (t)
      seen.push_back(*t);
  };
  keep(b.record_failure(t0));
  keep(b.ask(t0 + 150).transition);
  keep(b.record_failure(t0 + 160));
  keep(b.ask(t0 + 300).transition);
  keep(b.record_success(t0 + 310));
  std::vector<breaker_transition> expected{
    moved(state::closed, state::open, t0),
    moved(state::open, state::half_open, t0 + 100),
    moved(state::half_open, state::open, t0 + 160),
    moved(state::open, state::half_open, t0 + 260),
    moved(state::half_open, state::closed, t0 + 310)};
  EXPECT_EQ(seen, expected);
  EXPECT_EQ(breaker_state_name(state::half_open), "half_open");
  EXPECT_EQ(static_cast<int>(state::open), 1);
}

TEST(breaker_settings, parse_defaults_and_values) {
  for (auto text : {"null", "{}"}) {
    auto s = parse_breaker_settings(json::parse(text));
    ASSERT_TRUE(s) << text;
    EXPECT_EQ(s->failure_threshold, 5u);
    EXPECT_EQ(s->window_ms, 60'000);
    EXPECT_EQ(s->cooldown_ms, 30'000);
  }
  auto s = parse_breaker_settings(
    json::parse(R"({"failureThreshold":2,"windowMs":1500,"cooldownMs":250.0})"));
  ASSERT_TRUE(s);
  EXPECT_EQ(s->failure_threshold, 2u);
  EXPECT_EQ(s->window_ms, 1500);
  EXPECT_EQ(s->cooldown_ms, 250);
}

TEST(breaker_settings, parse_errors) {
  for (auto text : {R"([])", R"({"failureThreshold":0})", R"({"failureThreshold":1.5})",
                    R"({"failureThreshold":"5"})", R"({"windowMs":-1})",
                    R"({"cooldownMs":0})", R"({"cooldownMs":1e12})",
                    R"({"failureTreshold":3})"}) {
    auto s = parse_breaker_settings(json::parse(text));
    ASSERT_FALSE(s) << text;
    EXPECT_EQ(s.error().code, "invalid_config");
    EXPECT_FALSE(s.error().message.empty());
  }
  auto s = parse_breaker_settings(json::parse(R"({"windowMs":true})"));
  ASSERT_FALSE(s);
  EXPECT_NE(s.error().message.find("windowMs"), std::string::npos);
}

} // namespace
} // namespace baley::runtime
