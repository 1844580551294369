// Tests for runtime/supervision: retry or fail (decide_failure) and, for
// ai-blocks, fallback models in order, each with its own retry budget.
#include "runtime/execution/supervision.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <string>
#include <vector>

namespace baley::runtime {
namespace {

namespace json = boost::json;

constexpr unix_ms t0 = 1'000'000;
const std::vector<std::string> models{"gpt-4o", "gpt-4o-mini", "claude-3-5-haiku"};

retry_policy two_retries() { return retry_policy{2, 100, 1000, 2.0}; }

node_failure retryable(std::string message = "HTTP 503") { return {message, true, {}}; }

// Drives one ai-block through failures the way the execution actor does:
// decide, then fold the event (and the next node_start) into the state.
struct ai_node {
  execution_state state;
  retry_policy policy = two_retries();
  std::vector<execution_event> log;
  unix_ms now = t0;

  ai_node() {
    fold({now, execution_start{.input = json::object{}, .flow_id = "f", .flow_version = 1,
                               .triggered_by = "test"}});
    start();
  }
  const task_record& task() const { return state.nodes.at("ai").task; }
  void fold(const execution_event& e) {
    ASSERT_TRUE(validate(state, e)) << type_name(e.payload);
    apply(state, e);
    log.push_back(e);
  }
  void start() {
    auto* t = state.task("ai", std::nullopt);
    fold({++now, node_start{"ai", "bx", t ? t->attempts + 1 : 1, nullptr, std::nullopt,
                            std::nullopt}});
  }
  // One failed attempt: returns the decision, folded; starts the next attempt
  // unless the task failed.
  execution_event fail(node_failure f, bool breaker_open = false) {
    auto e = decide_model_failure("ai", models, current_model_index(models, task()),
                                  task(), policy, f, 0.5, ++now, breaker_open);
    fold(e);
    if (!std::holds_alternative<node_error>(e.payload))
      start();
    return e;
  }
};

TEST(supervision, decide_failure_retries_then_fails) {
  task_record t;
  t.attempts = 1;
  auto policy = two_retries();
  auto e = decide_failure("n", std::nullopt, t, policy, retryable(), 0.5, t0);
  auto* retry = std::get_if<node_retry>(&e.payload);
  ASSERT_TRUE(retry);
  EXPECT_EQ(retry->attempt, 2u);
  EXPECT_EQ(retry->delay_ms, 50);
  t.failures = 2;
  t.attempts = 3;
  e = decide_failure("n", 4u, t, policy, retryable(), 0.5, t0);
  auto* err = std::get_if<node_error>(&e.payload);
  ASSERT_TRUE(err);
  EXPECT_EQ(err->attempt, 3u);
  EXPECT_TRUE(err->retryable);
  EXPECT_EQ(err->iteration, 4u);
}

TEST(supervision, each_model_gets_its_own_retry_budget_in_order) {
  ai_node n;
  std::vector<std::string> seen;
  for (int i = 0; i < 20 && n.task().status != node_status::failed; ++i) {
    auto e = n.fail(retryable());
    if (auto* f = std::get_if<node_fallback>(&e.payload))
      seen.push_back("fallback " + f->from + " -> " + f->to);
    else
      seen.push_back(std::string(type_name(e.payload)));
  }
  std::vector<std::string> expected{
    "node_retry", "node_retry", "fallback gpt-4o -> gpt-4o-mini",
    "node_retry", "node_retry", "fallback gpt-4o-mini -> claude-3-5-haiku",
    "node_retry", "node_retry", "node_error"};
  EXPECT_EQ(seen, expected);
  EXPECT_EQ(n.task().attempts, 9u);  // three attempts per model
  EXPECT_EQ(n.task().fallbacks, 2u);
  EXPECT_EQ(n.task().model, "claude-3-5-haiku");
  auto& last = std::get<node_error>(n.log.back().payload);
  EXPECT_EQ(last.attempt, 9u);
  EXPECT_TRUE(last.retryable);
}

TEST(supervision, retry_delays_restart_from_the_first_backoff_after_a_fallback) {
  ai_node n;
  std::vector<std::int64_t> delays;
  for (int i = 0; i < 5; ++i) {
    auto e = n.fail(retryable());
    if (auto* r = std::get_if<node_retry>(&e.payload)) {
      delays.push_back(r->delay_ms);
      EXPECT_EQ(r->attempt, n.task().attempts);  // the attempt just started
      EXPECT_EQ(r->error, "HTTP 503");
    }
  }
  EXPECT_EQ(delays, (std::vector<std::int64_t>{50, 100, 50, 100}));
}

TEST(supervision, a_failure_that_is_not_retryable_falls_back_at_once) {
  ai_node n;
  auto e = n.fail({"HTTP 404 model not found", false, {}});
  auto* f = std::get_if<node_fallback>(&e.payload);
  ASSERT_TRUE(f);
  EXPECT_EQ(f->from, "gpt-4o");
  EXPECT_EQ(f->to, "gpt-4o-mini");
  EXPECT_EQ(n.task().status, node_status::running);
  n.fail({"no", false, {}});
  auto last = n.fail({"schema mismatch", false, {}});
  auto* err = std::get_if<node_error>(&last.payload);
  ASSERT_TRUE(err);
  EXPECT_FALSE(err->retryable);
  EXPECT_EQ(err->error, "schema mismatch");
  EXPECT_EQ(err->attempt, 3u);
}

TEST(supervision, an_open_breaker_skips_the_models_retries) {
  ai_node n;
  auto e = n.fail(retryable(), /*breaker_open=*/true);
  ASSERT_TRUE(std::holds_alternative<node_fallback>(e.payload));
  // The last model's open breaker is no reason to give up its budget: the
  // failure's retry_after_ms (when the breaker lets a probe through) is used.
  n.fail(retryable(), true);
  auto wait = n.fail({"circuit breaker open", true, 700}, true);
  auto* r = std::get_if<node_retry>(&wait.payload);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->delay_ms, 700);
}

TEST(supervision, retry_after_replaces_the_backoff_capped_at_max_delay) {
  ai_node n;
  auto e = n.fail({"HTTP 429", true, 400});
  EXPECT_EQ(std::get<node_retry>(e.payload).delay_ms, 400);
  e = n.fail({"HTTP 429", true, 60'000});
  EXPECT_EQ(std::get<node_retry>(e.payload).delay_ms, 1000);
}

TEST(supervision, a_single_model_without_retries_fails_at_once) {
  task_record t;
  t.attempts = 1;
  auto e = decide_model_failure("ai", {"gpt-4o"}, 0, t, retry_policy{}, retryable(), 0.5,
                                t0, false);
  ASSERT_TRUE(std::holds_alternative<node_error>(e.payload));
  EXPECT_EQ(e.ts, t0);
}

TEST(supervision, the_model_index_follows_node_fallback_events) {
  task_record t;
  EXPECT_EQ(current_model_index(models, t), 0u);
  t.fallbacks = 2;
  EXPECT_EQ(current_model_index(models, t), 2u);
  t.fallbacks = 7;
  EXPECT_EQ(current_model_index(models, t), 2u);
  EXPECT_EQ(current_model_index({}, t), 0u);
}

TEST(supervision, the_same_model_twice_in_the_list_is_tried_twice) {
  const std::vector<std::string> twice{"m", "m"};
  task_record t;
  t.attempts = 1;
  auto e = decide_model_failure("ai", twice, 0, t, retry_policy{}, retryable(), 0, t0, false);
  ASSERT_TRUE(std::holds_alternative<node_fallback>(e.payload));
  t.fallbacks = 1;
  t.attempts = 2;
  e = decide_model_failure("ai", twice, current_model_index(twice, t), t, retry_policy{},
                           retryable(), 0, t0, false);
  EXPECT_TRUE(std::holds_alternative<node_error>(e.payload));
}

} // namespace
} // namespace baley::runtime
