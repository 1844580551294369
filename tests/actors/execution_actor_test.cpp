// Execution actors through the engine over a real log: completion, cancel
// (during a delay, after the end), retries of a flaky block, and recovery.
#include "actors/execution_actor.hpp"

#include "actor_harness.hpp"
#include "actors/clock.hpp"
#include "actors/engine.hpp"
#include "actors/recovery.hpp"
#include "runtime/execution/execution_summary.hpp"
#include "runtime/stream_names.hpp"

#include <caf/all.hpp>

#include <algorithm>
#include <functional>

namespace baley::actors {
namespace {

using namespace testing;
using namespace runtime;

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
              "retry": {"maxRetries": 2, "initialDelayMs": 5}}},
    {"id": "out", "type": "sink"}
  ],
  "edges": [{"source": "in", "target": "flaky"}, {"source": "flaky", "target": "out"}]
})json";

class execution_actor_test : public ::testing::Test {
protected:
  void SetUp() override {
    auto opened = engine::open(system_.get(), {.data_dir = dir_.path(),
                                               .mode = storage::durability::buffered,
                                               .jq = test_jq_options()});
    ASSERT_TRUE(opened) << opened.error().message;
    engine_ = std::move(opened).value();
  }

  void TearDown() override {
    if (engine_)
      expect_audit_valid(engine_->log());
  }

  caf::actor observer() { return caf::actor_cast<caf::actor>(self_); }

  // Saves `flow_text` as version 1 of flow `flow_id`.
  std::shared_ptr<const compiled_flow> save(const std::string& flow_id,
                                            std::string_view flow_text) {
    auto flow = compile(flow_text, engine_->programs());
    auto saved = engine_->save_flow(flow_id, 1, json::parse(flow_text));
    EXPECT_TRUE(saved) << saved.error().message;
    return flow;
  }

  // Saves and starts a flow with `input`, observed by self_.
  started_execution start(std::string_view flow_text, std::string_view input,
                          std::string execution_id = {}) {
    auto flow = save("f1", flow_text);
    return engine_->start({.flow_id = "f1",
                           .flow_version = 1,
                           .flow = flow,
                           .input = json::parse(input),
                           .trigger = {.kind = trigger_kind::api},
                           .execution_id = std::move(execution_id),
                           .observer = observer()});
  }

  // Waits for the (finished_atom, execution_finished) of `execution_id`.
  std::string wait_finished(const std::string& execution_id) {
    std::optional<execution_finished> got;
    self_->receive(
      [&](finished_atom, const execution_finished& f) { got = f; },
      caf::after(patience) >> [] {});
    if (!got) {
      ADD_FAILURE() << "execution " << execution_id << " did not finish";
      return "";
    }
    EXPECT_EQ(got->execution_id, execution_id);
    return got->status;
  }

  void subscribe(const std::string& stream) {
    self_->request(engine_->broker(), patience, subscribe_atom::value, stream, observer())
      .receive([](caf::atom_value) {},
               [&](caf::error& e) { ADD_FAILURE() << system_.get().render(e); });
  }

  // Waits for the first event of the subscribed stream for which `match` holds.
  std::optional<execution_event> wait_event(std::function<bool(const execution_event&)> match) {
    std::optional<execution_event> found;
    bool timed_out = false;
    self_->receive_while([&] { return !found && !timed_out; })(
      [&](event_atom, const shared_event& e) {
        auto event = parse_event(storage::event_bytes(e->record));
        if (event && match(*event))
          found = std::move(event).value();
      },
      caf::after(patience) >> [&] { timed_out = true; });
    return found;
  }

  stream_index next_index(const std::string& execution_id) {
    auto next = engine_->log().next_index(names::execution_stream(execution_id));
    EXPECT_TRUE(next) << next.error().message;
    return next ? *next : 0;
  }

  std::vector<execution_event> events_of(const std::string& execution_id) {
    return read_events(engine_->log(), names::execution_stream(execution_id));
  }

  temp_dir dir_;
  two_thread_system system_;
  std::unique_ptr<engine> engine_;
  caf::scoped_actor self_{system_.get()};
};

TEST_F(execution_actor_test, linear_flow_completes_with_its_sink_output) {
  auto started = start(linear_flow, R"({"a": 1, "b": 2})");
  EXPECT_EQ(wait_finished(started.execution_id), "completed");

  auto events = events_of(started.execution_id);
  auto state = fold(events);
  EXPECT_EQ(state.status, execution_status::completed);
  EXPECT_EQ(state.output, json::parse(R"({"sum": 3})"));
  EXPECT_EQ(all_of<node_start>(events).size(), 3u);
  EXPECT_EQ(all_of<node_complete>(events).size(), 3u);
  ASSERT_FALSE(events.empty());
  EXPECT_TRUE(std::holds_alternative<execution_start>(events.front().payload));
  EXPECT_TRUE(std::holds_alternative<execution_complete>(events.back().payload));
}

TEST_F(execution_actor_test, cancel_during_a_delay_ends_the_stream) {
  auto id = engine_->new_id();
  subscribe(names::execution_stream(id));
  auto started = start(delay_flow, "{}", id);
  auto wait_start = wait_event([](const execution_event& e) {
    auto* s = std::get_if<node_start>(&e.payload);
    return s && s->node_id == "wait";
  });
  ASSERT_TRUE(wait_start);
  auto deadline = std::get<node_start>(wait_start->payload).deadline;
  ASSERT_TRUE(deadline);

  caf::anon_send(started.actor, cancel_atom::value, std::string("changed my mind"));
  EXPECT_EQ(wait_finished(id), "cancelled");
  auto after_cancel = next_index(id);

  // Past the delay's deadline, nothing more reaches the stream.
  auto until_past = std::chrono::milliseconds(std::max<unix_ms>(0, *deadline - now_ms()) + 300);
  std::optional<std::string> late;
  bool quiet = false;
  self_->receive_while([&] { return !late && !quiet; })(
    [&](event_atom, const shared_event& e) {
      if (e->index >= after_cancel)
        late = std::string(storage::event_bytes(e->record));
    },
    caf::after(until_past) >> [&] { quiet = true; });
  EXPECT_FALSE(late) << "appended after the cancel: " << *late;
  EXPECT_EQ(next_index(id), after_cancel);

  auto events = events_of(id);
  auto cancelled = all_of<execution_cancelled>(events);
  ASSERT_EQ(cancelled.size(), 1u);
  EXPECT_EQ(cancelled[0].reason, "changed my mind");
  EXPECT_TRUE(std::holds_alternative<execution_cancelled>(events.back().payload));
  EXPECT_EQ(fold(events).status, execution_status::cancelled);
}

TEST_F(execution_actor_test, cancel_after_the_end_writes_nothing) {
  auto id = engine_->new_id();
  subscribe(names::execution_stream(id));
  auto started = start(linear_flow, R"({"a": 1, "b": 2})", id);
  ASSERT_EQ(wait_finished(id), "completed");
  auto at_end = next_index(id);

  caf::anon_send(started.actor, cancel_atom::value, std::string("too late"));
  std::optional<std::string> late;
  bool quiet = false;
  self_->receive_while([&] { return !late && !quiet; })(
    [&](event_atom, const shared_event& e) {
      if (e->index >= at_end)
        late = std::string(storage::event_bytes(e->record));
    },
    caf::after(std::chrono::milliseconds(300)) >> [&] { quiet = true; });
  EXPECT_FALSE(late) << "appended after the end: " << *late;
  EXPECT_EQ(next_index(id), at_end);
  EXPECT_EQ(fold(events_of(id)).status, execution_status::completed);
}

TEST_F(execution_actor_test, retryable_failure_retries_then_fails) {
  auto started = start(flaky_flow, "{}");
  EXPECT_EQ(wait_finished(started.execution_id), "failed");

  auto events = events_of(started.execution_id);
  auto retries = all_of<node_retry>(events);
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
void write_crashed_prefix(storage::event_log& log, const std::string& id,
                          const std::string& flow_id = "f1") {
  auto now = now_ms();
  json::value input = json::parse(R"({"a": 20, "b": 22})");
  std::vector<execution_event> prefix = {
    {now, execution_start{input, flow_id, 1, "test"}},
    {now, node_start{"in", "b-in", 1, input, std::nullopt, std::nullopt}},
    {now, node_complete{"in", input, 0, std::nullopt, std::nullopt, nullptr,
                        std::nullopt, std::nullopt}},
    {now, node_start{"add", "b-add", 1, input, std::nullopt, std::nullopt}},
  };
  storage::append_request request;
  request.stream = names::execution_stream(id);
  request.expected_next = 0;
  for (const auto& e : prefix)
    request.events.push_back(serialize_event(e));
  auto summary = summarize(id, fold(prefix), now);
  EXPECT_EQ(summary.status, execution_status::running);
  request.projections.push_back({.family = std::string(storage::families::executions),
                                 .key = id,
                                 .value = serialize_summary(summary)});
  auto committed = log.append(std::move(request));
  ASSERT_TRUE(committed) << committed.error().message;
}

TEST_F(execution_actor_test, recovery_reruns_the_started_node_and_completes) {
  save("f1", linear_flow);
  auto id = engine_->new_id();
  write_crashed_prefix(engine_->log(), id);

  auto plan = plan_recovery(*engine_);
  ASSERT_TRUE(plan) << plan.error().message;
  EXPECT_TRUE(plan->failed.empty());
  auto resumed = resume_all(*engine_, std::move(plan->resumable), observer());
  ASSERT_EQ(resumed.size(), 1u);
  EXPECT_EQ(resumed.front().execution_id, id);
  EXPECT_EQ(wait_finished(id), "completed");

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
  write_crashed_prefix(engine_->log(), lost, "gone");  // flow `gone` was never saved
  write_crashed_prefix(engine_->log(), kept);

  auto plan = plan_recovery(*engine_);
  ASSERT_TRUE(plan) << plan.error().message;
  ASSERT_EQ(plan->failed.size(), 1u);
  EXPECT_EQ(plan->failed[0].execution_id, lost);
  EXPECT_TRUE(plan->failed[0].recorded);
  EXPECT_NE(plan->failed[0].reason.message.find("flow/gone"), std::string::npos)
    << plan->failed[0].reason.message;
  ASSERT_EQ(plan->resumable.size(), 1u);
  auto resumed = resume_all(*engine_, std::move(plan->resumable), observer());
  EXPECT_EQ(wait_finished(kept), "completed");

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
