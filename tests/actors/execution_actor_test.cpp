// Execution actors through the engine over a real log and the real jq
// sandbox, on CAF's deterministic coordinator with the engine's clock on it:
// completion; a delay that ends exactly at its deadline; cancel (during a
// delay, after the end) with nothing written after, however far time moves;
// retries of a flaky block timed by its backoff; recovery (a restarted node,
// one execution that cannot resume among others). Nothing sleeps.
#include "actors/execution_actor.hpp"

#include "actor_harness.hpp"
#include "actors/engine.hpp"
#include "actors/recovery.hpp"
#include "deterministic.hpp"
#include "runtime/execution/execution_summary.hpp"
#include "runtime/stream_names.hpp"
#include "storage/projections.hpp"

namespace baley::actors {
namespace {

using namespace testing;
using namespace runtime;
using namespace std::chrono_literals;

constexpr std::string_view linear_flow = R"json({
  "nodes": [
    {"id": "in", "type": "source"},
    {"id": "add", "type": "function-block", "data": {"code": "{sum: (.a + .b)}"}},
    {"id": "out", "type": "sink"}
  ],
  "edges": [{"source": "in", "target": "add"}, {"source": "add", "target": "out"}]
})json";

constexpr std::string_view delay_flow = R"json({
  "nodes": [
    {"id": "in", "type": "source"},
    {"id": "wait", "type": "delay", "data": {"ms": 400}},
    {"id": "out", "type": "sink"}
  ],
  "edges": [{"source": "in", "target": "wait"}, {"source": "wait", "target": "out"}]
})json";

constexpr std::string_view flaky_flow = R"json({
  "nodes": [
    {"id": "in", "type": "source"},
    {"id": "flaky", "type": "function-block",
     "data": {"code": "error({message: \"x\", retryable: true})",
              "retry": {"maxRetries": 2, "initialDelayMs": 100, "maxDelayMs": 100}}},
    {"id": "out", "type": "sink"}
  ],
  "edges": [{"source": "in", "target": "flaky"}, {"source": "flaky", "target": "out"}]
})json";

class execution_actor_test : public ::testing::Test {
protected:
  void SetUp() override {
    auto opened = engine::open(world_.system(), {.data_dir = dir_.path(),
                                                 .mode = storage::durability::buffered,
                                                 .jq = test_jq_options(),
                                                 .time = world_.time(),
                                                 .via = world_.via()});
    ASSERT_TRUE(opened) << opened.error().message;
    engine_ = std::move(opened).value();
    world_.watch(&engine_->log(), &engine_->jq());
  }

  void TearDown() override {
    if (engine_) {
      world_.run();
      expect_audit_valid(engine_->log());
    }
  }

  execution_observer observer() { return caf::actor_cast<execution_observer>(self_); }

  // Saves `flow_text` as version 1 of flow `flow_id`.
  std::shared_ptr<const compiled_flow> save(const std::string& flow_id,
                                            std::string_view flow_text) {
    auto flow = compile(flow_text, engine_->programs());
    auto saved = engine_->save_flow(flow_id, 1, json::parse(flow_text));
    EXPECT_TRUE(saved) << saved.error().message;
    return flow;
  }

  // Saves and starts a flow with `input`, observed by self_, and runs.
  started_execution start(std::string_view flow_text, std::string_view input) {
    auto flow = save("f1", flow_text);
    auto started = engine_->start({.flow_id = "f1",
                                   .flow_version = 1,
                                   .flow = flow,
                                   .input = json::parse(input),
                                   .trigger = {.kind = trigger_kind::api},
                                   .observer = observer()});
    world_.run();
    return started;
  }

  // How the execution ended, if self_ was told by now.
  std::optional<finish_reason> finished(const std::string& execution_id) {
    for (const auto& f : take_all<finished_atom, execution_finished>(self_)) {
      EXPECT_EQ(f.execution_id, execution_id);
      return f.reason;
    }
    return std::nullopt;
  }

  std::vector<execution_event> events_of(const std::string& execution_id) {
    return read_events(engine_->log(), names::execution_stream(execution_id));
  }

  deterministic world_;
  temp_dir dir_;
  std::unique_ptr<engine> engine_;
  caf::scoped_actor self_{world_.system()};
};

TEST_F(execution_actor_test, linear_flow_completes_with_its_sink_output) {
  auto started = start(linear_flow, R"({"a": 1, "b": 2})");
  EXPECT_EQ(finished(started.execution_id), finish_reason::completed);

  auto events = events_of(started.execution_id);
  auto state = fold(events);
  EXPECT_EQ(state.status, execution_status::completed);
  EXPECT_EQ(state.output, json::parse(R"({"sum": 3})"));
  EXPECT_EQ(all_of<node_start>(events).size(), 3u);
  EXPECT_EQ(all_of<node_complete>(events).size(), 3u);
  ASSERT_FALSE(events.empty());
  EXPECT_TRUE(std::holds_alternative<execution_start>(events.front().payload));
  EXPECT_TRUE(std::holds_alternative<execution_complete>(events.back().payload));
  EXPECT_EQ(events.front().ts, coordinator_clock::start) << "time is the coordinator's";
}

TEST_F(execution_actor_test, a_delay_ends_exactly_at_its_deadline) {
  auto started = start(delay_flow, "{}");
  auto starts = all_of<node_start>(events_of(started.execution_id));
  ASSERT_EQ(starts.size(), 2u);
  EXPECT_EQ(starts[1].node_id, "wait");
  EXPECT_EQ(starts[1].deadline, coordinator_clock::start + 400);

  world_.advance(399ms);
  EXPECT_FALSE(finished(started.execution_id)) << "still waiting 1 ms before the deadline";
  world_.advance(1ms);
  EXPECT_EQ(finished(started.execution_id), finish_reason::completed);
  auto done = all_of<node_complete>(events_of(started.execution_id));
  ASSERT_EQ(done.size(), 3u);
  EXPECT_EQ(done[1].node_id, "wait");
  EXPECT_EQ(done[1].duration_ms, 400);
}

TEST_F(execution_actor_test, cancel_during_a_delay_ends_the_stream) {
  auto started = start(delay_flow, "{}");
  caf::anon_send(started.actor, cancel_atom_v, std::string("changed my mind"));
  world_.run();
  EXPECT_EQ(finished(started.execution_id), finish_reason::cancelled);
  auto after_cancel = events_of(started.execution_id).size();

  // Past the delay's deadline, nothing more reaches the stream.
  world_.advance(10s);
  auto events = events_of(started.execution_id);
  EXPECT_EQ(events.size(), after_cancel) << "appended after the cancel";
  auto cancelled = all_of<execution_cancelled>(events);
  ASSERT_EQ(cancelled.size(), 1u);
  EXPECT_EQ(cancelled[0].reason, "changed my mind");
  EXPECT_TRUE(std::holds_alternative<execution_cancelled>(events.back().payload));
  EXPECT_EQ(fold(events).status, execution_status::cancelled);
}

TEST_F(execution_actor_test, cancel_after_the_end_writes_nothing) {
  auto started = start(linear_flow, R"({"a": 1, "b": 2})");
  ASSERT_EQ(finished(started.execution_id), finish_reason::completed);
  auto at_end = events_of(started.execution_id).size();

  caf::anon_send(started.actor, cancel_atom_v, std::string("too late"));
  world_.advance(10s);
  EXPECT_EQ(events_of(started.execution_id).size(), at_end) << "appended after the end";
  EXPECT_EQ(fold(events_of(started.execution_id)).status, execution_status::completed);
}

TEST_F(execution_actor_test, a_retryable_failure_waits_its_backoff_then_fails) {
  auto started = start(flaky_flow, "{}");
  auto retries = all_of<node_retry>(events_of(started.execution_id));
  ASSERT_EQ(retries.size(), 1u) << "the first attempt failed and waits";
  EXPECT_LE(retries[0].delay_ms, 100);
  EXPECT_EQ(all_of<node_start>(events_of(started.execution_id)).size(), 2u);

  // Each retry starts when its backoff (at most 100 ms, jittered) is over.
  world_.advance(100ms);
  world_.advance(100ms);
  EXPECT_EQ(finished(started.execution_id), finish_reason::failed);

  auto events = events_of(started.execution_id);
  retries = all_of<node_retry>(events);
  ASSERT_EQ(retries.size(), 2u);
  EXPECT_EQ(retries[0].attempt, 2u);
  EXPECT_EQ(retries[1].attempt, 3u);
  EXPECT_EQ(retries[0].error, "x");
  auto errors = all_of<node_error>(events);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].node_id, "flaky");
  EXPECT_EQ(errors[0].attempt, 3u);
  EXPECT_TRUE(errors[0].retryable);
  auto state = fold(events);
  EXPECT_EQ(state.status, execution_status::failed);
  EXPECT_EQ(state.nodes.at("flaky").task.attempts, 3u);
  EXPECT_EQ(state.error_node_id, "flaky");
  EXPECT_EQ(state.nodes.count("out"), 0u);
}

// An execution stream of flow `flow_id` cut off by a crash after the
// function node started.
void write_crashed_prefix(storage::event_log& log, const std::string& id, unix_ms now,
                          const std::string& flow_id = "f1") {
  json::value input = json::parse(R"({"a": 20, "b": 22})");
  std::vector<execution_event> prefix = {
    {now, execution_start{.input = input, .flow_id = flow_id, .flow_version = 1,
                          .triggered_by = "api"}},
    {now, node_start{.node_id = "in", .block_execution_id = "b-in", .attempt = 1,
                     .input = input}},
    {now, node_complete{.node_id = "in", .output = input}},
    {now, node_start{.node_id = "add", .block_execution_id = "b-add", .attempt = 1,
                     .input = input}},
  };
  storage::append_request request{.stream = names::execution_stream(id), .expected_next = stream_index{0}};
  for (const auto& e : prefix)
    request.events.push_back(serialize_event(e));
  auto summary = summarize(id, fold(prefix), now);
  EXPECT_EQ(summary.status, execution_status::running);
  request.projections.push_back(
    storage::projections::execution_summary(id, serialize_summary(summary)));
  auto committed = log.append(std::move(request));
  ASSERT_TRUE(committed) << committed.error().message;
}

TEST_F(execution_actor_test, recovery_reruns_the_started_node_and_completes) {
  save("f1", linear_flow);
  auto id = engine_->new_id();
  write_crashed_prefix(engine_->log(), id, engine_->time()->now());

  auto plan = plan_recovery(*engine_);
  ASSERT_TRUE(plan) << plan.error().message;
  EXPECT_TRUE(plan->failed.empty());
  auto resumed = resume_all(*engine_, std::move(plan->resumable), observer());
  ASSERT_EQ(resumed.size(), 1u);
  EXPECT_EQ(resumed.front().execution_id, id);
  world_.run();
  EXPECT_EQ(finished(id), finish_reason::completed);

  auto events = events_of(id);
  auto state = fold(events);
  EXPECT_EQ(state.status, execution_status::completed);
  EXPECT_EQ(state.output, json::parse(R"({"sum": 42})"));
  std::vector<std::uint32_t> add_attempts;
  std::size_t source_starts = 0;
  for (const auto& s : all_of<node_start>(events)) {
    if (s.node_id == "add")
      add_attempts.push_back(s.attempt);
    source_starts += s.node_id == "in";
  }
  EXPECT_EQ(add_attempts, (std::vector<std::uint32_t>{1, 2}));
  EXPECT_EQ(source_starts, 1u);
  EXPECT_EQ(state.nodes.at("add").task.attempts, 2u);
}

TEST_F(execution_actor_test, recovery_ends_one_that_cannot_resume_and_resumes_the_others) {
  save("f1", linear_flow);
  auto lost = engine_->new_id();
  auto kept = engine_->new_id();
  auto now = engine_->time()->now();
  write_crashed_prefix(engine_->log(), lost, now, "gone");  // flow `gone` was never saved
  write_crashed_prefix(engine_->log(), kept, now);

  auto plan = plan_recovery(*engine_);
  ASSERT_TRUE(plan) << plan.error().message;
  ASSERT_EQ(plan->failed.size(), 1u);
  EXPECT_EQ(plan->failed[0].execution_id, lost);
  EXPECT_TRUE(plan->failed[0].recorded);
  EXPECT_NE(plan->failed[0].reason.message.find("flow/gone"), std::string::npos)
    << plan->failed[0].reason.message;
  ASSERT_EQ(plan->resumable.size(), 1u);
  auto resumed = resume_all(*engine_, std::move(plan->resumable), observer());
  world_.run();
  EXPECT_EQ(finished(kept), finish_reason::completed);

  auto state = fold(events_of(lost));
  EXPECT_EQ(state.status, execution_status::failed);
  EXPECT_EQ(state.error_code, "cannot_resume");
  EXPECT_EQ(state.error.rfind("cannot resume: ", 0), 0u) << state.error;
  auto stored = engine_->log().get_projection(storage::families::executions, lost);
  ASSERT_TRUE(stored && *stored);
  EXPECT_EQ(parse_summary(**stored)->status, execution_status::failed)
    << "not listed as unfinished again at the next start";
  auto again = plan_recovery(*engine_);
  ASSERT_TRUE(again);
  EXPECT_TRUE(again->failed.empty() && again->resumable.empty());
}

} // namespace
} // namespace baley::actors
