// Tests for runtime/execution_state: the apply() fold (statuses, attempts,
// retries, loop iterations, cancellation, metrics) and validate()'s refusals.
#include "runtime/execution/execution_state.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <string>

namespace baley::runtime {
namespace {

namespace json = boost::json;

constexpr unix_ms t0 = 1'000'000;

node_start start(std::string id, std::uint32_t attempt = 1,
                 std::optional<std::uint32_t> iteration = std::nullopt) {
  return node_start{std::move(id), "bx-" + std::to_string(attempt), attempt,
                    json::object{{"x", 1}}, iteration, std::nullopt};
}

node_complete complete(std::string id, json::value output,
                       std::optional<std::uint32_t> iteration = std::nullopt) {
  return node_complete{std::move(id), std::move(output), 5, iteration, std::nullopt,
                       nullptr, std::nullopt, std::nullopt};
}

// Folds events one by one, each at t0 + its position, checking validate first.
struct fold {
  execution_state state;

  fold& operator<<(execution_event_payload payload) {
    execution_event event{t0 + static_cast<unix_ms>(state.next_index.value()), std::move(payload)};
    auto allowed = validate(state, event);
    EXPECT_TRUE(allowed) << type_name(event.payload) << ": "
                         << (allowed ? "" : allowed.error().message);
    apply(state, event);
    return *this;
  }

  baley::error refused(execution_event_payload payload) const {
    std::string name(type_name(payload));
    auto allowed = validate(state, execution_event{t0, std::move(payload)});
    EXPECT_FALSE(allowed) << name;
    return allowed ? baley::error{} : allowed.error();
  }
};

fold started() {
  fold f;
  f << execution_start{json::object{{"q", 1}}, "flow-1", 2, "api"};
  return f;
}

TEST(execution_state, folds_a_linear_execution) {
  auto f = started();
  EXPECT_EQ(f.state.status, execution_status::running);
  EXPECT_EQ(f.state.flow_id, "flow-1");
  EXPECT_EQ(f.state.flow_version, 2u);
  EXPECT_EQ(f.state.triggered_by, "api");
  EXPECT_EQ(f.state.input, (json::object{{"q", 1}}));
  EXPECT_EQ(f.state.started_at, t0);

  f << start("in") << complete("in", 1) << start("out");
  EXPECT_EQ(f.state.nodes.at("in").task.status, node_status::completed);
  EXPECT_EQ(f.state.nodes.at("out").task.status, node_status::running);
  EXPECT_EQ(f.state.nodes.at("out").task.started_at, t0 + 3);
  f << complete("out", 2) << node_skipped{"other", "route not chosen"};
  f << execution_complete{2, json::object{}};

  EXPECT_EQ(f.state.status, execution_status::completed);
  EXPECT_EQ(f.state.output, 2);
  EXPECT_EQ(f.state.completed_at, t0 + 6);
  EXPECT_EQ(f.state.next_index.value(), 7u);
  const auto& out = f.state.nodes.at("out").task;
  EXPECT_EQ(out.status, node_status::completed);
  EXPECT_EQ(out.output, 2);
  EXPECT_EQ(out.attempts, 1u);
  EXPECT_EQ(out.duration_ms, 5);
  EXPECT_EQ(out.completed_at, t0 + 4);
  EXPECT_EQ(f.state.nodes.at("other").task.status, node_status::skipped);
}

TEST(execution_state, failed_execution_records_error_and_node) {
  auto f = started();
  f << start("n") << node_error{"n", "boom", 1, false, std::nullopt}
    << execution_error{"boom", "n"};
  EXPECT_EQ(f.state.nodes.at("n").task.status, node_status::failed);
  EXPECT_EQ(f.state.nodes.at("n").task.error, "boom");
  EXPECT_EQ(f.state.status, execution_status::failed);
  EXPECT_EQ(f.state.error, "boom");
  EXPECT_EQ(f.state.error_node_id, "n");
}

TEST(execution_state, attempts_and_failures_count_starts_and_retries) {
  auto f = started();
  f << start("n", 1) << node_retry{"n", 2, 300, "timeout", std::nullopt};
  const auto* t = f.state.task("n", std::nullopt);
  ASSERT_TRUE(t);
  EXPECT_EQ(t->status, node_status::waiting_retry);
  EXPECT_EQ(status_name(t->status), "pending");
  EXPECT_EQ(t->retry_at, t0 + 2 + 300);
  EXPECT_EQ(t->error, "timeout");

  f << start("n", 2);
  t = f.state.task("n", std::nullopt);
  EXPECT_EQ(t->status, node_status::running);
  EXPECT_FALSE(t->retry_at);
  f << node_retry{"n", 3, 600, "timeout", std::nullopt} << start("n", 3)
    << complete("n", "ok");
  t = f.state.task("n", std::nullopt);
  EXPECT_EQ(t->attempts, 3u);
  EXPECT_EQ(t->failures, 2u);
  EXPECT_EQ(t->status, node_status::completed);
}

TEST(execution_state, loop_iterations_have_their_own_records) {
  auto f = started();
  f << start("loop") << start("loop", 1, 0u) << start("loop", 1, 1u)
    << complete("loop", 10, 1u) << node_retry{"loop", 2, 50, "flaky", 0u};
  const auto& node = f.state.nodes.at("loop");
  EXPECT_EQ(node.task.status, node_status::running);
  EXPECT_EQ(node.task.attempts, 1u);
  ASSERT_EQ(node.iterations.size(), 2u);
  EXPECT_EQ(node.iterations.at(0).status, node_status::waiting_retry);
  EXPECT_EQ(node.iterations.at(0).failures, 1u);
  EXPECT_EQ(node.iterations.at(1).status, node_status::completed);
  EXPECT_EQ(node.iterations.at(1).output, 10);
  EXPECT_EQ(f.state.task("loop", 1u), &node.iterations.at(1));
  EXPECT_EQ(f.state.task("loop", 9u), nullptr);
  EXPECT_EQ(f.state.task("ghost", std::nullopt), nullptr);
}

TEST(execution_state, cancellation_marks_live_tasks_cancelled) {
  auto f = started();
  f << start("done") << complete("done", 1) << start("running")
    << start("waiting") << node_retry{"waiting", 2, 1000, "x", std::nullopt}
    << start("loop") << start("loop", 1, 0u) << complete("loop", 0, 0u)
    << start("loop", 1, 1u) << execution_cancelled{""};
  EXPECT_EQ(f.state.status, execution_status::cancelled);
  EXPECT_EQ(f.state.error, "cancelled");
  EXPECT_EQ(f.state.nodes.at("done").task.status, node_status::completed);
  EXPECT_EQ(f.state.nodes.at("running").task.status, node_status::cancelled);
  EXPECT_EQ(f.state.nodes.at("waiting").task.status, node_status::cancelled);
  EXPECT_EQ(f.state.nodes.at("loop").task.status, node_status::cancelled);
  EXPECT_EQ(f.state.nodes.at("loop").iterations.at(0).status, node_status::completed);
  EXPECT_EQ(f.state.nodes.at("loop").iterations.at(1).status, node_status::cancelled);
}

TEST(execution_state, cancel_reason_is_kept) {
  auto f = started();
  f << execution_cancelled{"user asked"};
  EXPECT_EQ(f.state.error, "user asked");
}

TEST(execution_state, metrics_sum_tokens_and_cost) {
  auto f = started();
  auto ai = [](std::string id, std::int64_t in, std::int64_t out, double cost,
               std::optional<std::uint32_t> it = std::nullopt) {
    return node_complete{std::move(id), "text", 10, it, std::nullopt,
                         json::object{{"input", in}, {"output", out}}, cost, "m"};
  };
  f << start("a") << ai("a", 10, 20, 0.25) << start("b") << ai("b", 1, 2, 0.5)
    << start("loop") << start("loop", 1, 0u) << ai("loop", 100, 200, 1.0, 0u);
  EXPECT_EQ(f.state.nodes.at("a").tokens_input, 10);
  EXPECT_EQ(f.state.nodes.at("a").tokens_output, 20);

  auto running = execution_metrics(f.state, t0 + 100);
  EXPECT_EQ(running.at("totalTokens"), 333);
  EXPECT_DOUBLE_EQ(running.at("totalCost").to_number<double>(), 1.75);
  EXPECT_EQ(running.at("totalDurationMs"), 100);

  f << execution_complete{nullptr, json::object{}};
  auto done = execution_metrics(f.state, t0 + 10'000);
  EXPECT_EQ(done.at("totalDurationMs"), f.state.completed_at - t0);
}

TEST(execution_state, execution_start_twice_is_refused) {
  auto f = started();
  auto e = f.refused(execution_start{nullptr, "flow-1", 1, "api"});
  EXPECT_EQ(e.code, "invalid_state");
}

TEST(execution_state, nothing_follows_a_terminal_event) {
  for (execution_event_payload terminal :
       {execution_event_payload{execution_complete{1, json::object{}}},
        execution_event_payload{execution_error{"boom", ""}},
        execution_event_payload{execution_cancelled{""}}}) {
    auto f = started();
    f << start("n") << terminal;
    SCOPED_TRACE(std::string(type_name(terminal)));
    EXPECT_EQ(f.refused(complete("n", 1)).code, "invalid_state");
    EXPECT_EQ(f.refused(start("m")).code, "invalid_state");
    EXPECT_EQ(f.refused(execution_cancelled{""}).code, "invalid_state");
    EXPECT_EQ(f.refused(execution_complete{1, json::object{}}).code, "invalid_state");
    EXPECT_EQ(f.refused(execution_start{nullptr, "f", 1, ""}).code, "invalid_state");
  }
}

TEST(execution_state, node_events_need_a_running_node) {
  auto f = started();
  EXPECT_EQ(f.refused(complete("n", 1)).code, "invalid_state");
  EXPECT_EQ(f.refused(node_error{"n", "x", 1, false, std::nullopt}).code, "invalid_state");
  EXPECT_EQ(f.refused(node_retry{"n", 2, 0, "x", std::nullopt}).code, "invalid_state");
  EXPECT_EQ(f.refused(node_stream{"n", json::object{}, std::nullopt}).code,
            "invalid_state");
  f << start("n") << complete("n", 1);
  auto e = f.refused(complete("n", 2));
  EXPECT_EQ(e.code, "invalid_state");
  EXPECT_NE(e.message.find("'n'"), std::string::npos) << e.message;
  EXPECT_EQ(f.refused(complete("n", 2, 0u)).code, "invalid_state");
}

TEST(execution_state, finished_nodes_do_not_start_again) {
  auto f = started();
  f << start("done") << complete("done", 1) << start("bad")
    << node_error{"bad", "x", 1, false, std::nullopt} << node_skipped{"skip", "r"};
  EXPECT_EQ(f.refused(start("done", 2)).code, "invalid_state");
  EXPECT_EQ(f.refused(start("bad", 2)).code, "invalid_state");
  EXPECT_EQ(f.refused(start("skip")).code, "invalid_state");
  EXPECT_EQ(f.refused(node_skipped{"done", "r"}).code, "invalid_state");
  // A running task may start again: a new attempt after a crash.
  f << start("again") << start("again", 2);
  EXPECT_EQ(f.state.task("again", std::nullopt)->attempts, 2u);
}

TEST(execution_state, final_error_may_follow_a_retry_wait) {
  auto f = started();
  f << start("n") << node_retry{"n", 2, 10, "x", std::nullopt}
    << node_error{"n", "gave up", 1, true, std::nullopt};
  EXPECT_EQ(f.state.task("n", std::nullopt)->status, node_status::failed);
}

TEST(execution_state, only_cancel_may_come_before_start) {
  fold f;
  EXPECT_EQ(f.refused(start("n")).code, "invalid_state");
  EXPECT_EQ(f.refused(execution_complete{1, json::object{}}).code, "invalid_state");
  f << execution_cancelled{"never mind"};
  EXPECT_EQ(f.state.status, execution_status::cancelled);
  EXPECT_EQ(f.refused(execution_start{nullptr, "f", 1, ""}).code, "invalid_state");
}

TEST(execution_state, status_names) {
  EXPECT_EQ(status_name(execution_status::running), "running");
  EXPECT_EQ(status_name(execution_status::cancelled), "cancelled");
  EXPECT_EQ(status_name(node_status::skipped), "skipped");
  EXPECT_FALSE(is_terminal(execution_status::running));
  EXPECT_TRUE(is_terminal(execution_status::failed));
}

} // namespace
} // namespace baley::runtime
