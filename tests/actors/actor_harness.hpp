// What the actor tests share besides their deterministic world
// (deterministic.hpp): the real jq sandbox, flows compiled from JSON text,
// reading an execution stream back, and messages taken off a scoped actor's
// mailbox without waiting.
#pragma once

#include "runtime/execution/events.hpp"
#include "runtime/execution/execution_state.hpp"
#include "runtime/flow/flow_compiler.hpp"
#include "sandbox/jq_pool.hpp"
#include "storage/event_log.hpp"
#include "tests/storage/temp_dir.hpp"

#include <caf/scoped_actor.hpp>
#include <caf/all.hpp>

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include <chrono>
#include <optional>
#include <string_view>
#include <vector>

namespace baley::actors::testing {

namespace json = boost::json;
using storage::testing::temp_dir;

// The jq sandbox of the real `baley` binary (its hidden jq-worker command).
inline sandbox::jq_pool_options test_jq_options() {
  sandbox::jq_pool_options options;
  options.worker_command = {BALEY_BINARY, "jq-worker"};
  options.workers = 2;
  return options;
}

// Compiles flow JSON text that must be valid; fails the test if it is not.
inline std::shared_ptr<const runtime::compiled_flow>
compile(std::string_view flow_text, runtime::jq_cache& programs) {
  auto outcome = runtime::compile_flow(json::parse(flow_text), programs);
  for (const auto& p : outcome.problems)
    ADD_FAILURE() << "flow problem [" << p.node_id << "] " << p.message;
  return outcome.flow;
}

// The events of one stream, parsed back from their stored records.
inline std::vector<runtime::execution_event>
read_events(const storage::event_log& log, std::string_view stream) {
  std::vector<runtime::execution_event> out;
  auto committed = log.read_stream(stream, stream_index{0});
  EXPECT_TRUE(committed) << committed.error().message;
  if (!committed)
    return out;
  for (const auto& c : *committed) {
    auto event = runtime::parse_event(storage::event_bytes(c.record));
    EXPECT_TRUE(event) << "event " << c.index << ": " << event.error().message;
    if (event)
      out.push_back(std::move(event).value());
  }
  return out;
}

inline runtime::execution_state fold(const std::vector<runtime::execution_event>& events) {
  runtime::execution_state state;
  for (const auto& e : events)
    runtime::apply(state, e);
  return state;
}

// The payloads of type T in `events`, in order.
template <class T>
std::vector<T> all_of(const std::vector<runtime::execution_event>& events) {
  std::vector<T> out;
  for (const auto& e : events)
    if (auto* p = std::get_if<T>(&e.payload))
      out.push_back(*p);
  return out;
}

// Every (Atom, T) message in `who`'s mailbox now, in order; others stay.
// Nothing waits: the actors already ran.
template <class Atom, class T>
std::vector<T> take_all(caf::scoped_actor& who) {
  std::vector<T> got;
  bool empty = false;
  who->receive_while([&] { return !empty; })(
    [&](Atom, const T& x) { got.push_back(x); },
    caf::after(std::chrono::milliseconds(0)) >> [&] { empty = true; });
  return got;
}

// Every stream of the log has contiguous indexes and an intact hash chain.
inline void expect_audit_valid(const storage::event_log& log) {
  auto report = log.audit(std::nullopt);
  ASSERT_TRUE(report) << report.error().message;
  EXPECT_TRUE(report->valid) << report->bad_stream.value_or("") << ": " << report->reason;
}

} // namespace baley::actors::testing
