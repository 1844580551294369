// Recovery after SIGKILL: an execution killed during a durable delay is
// resumed by `baley resume`, waits only what is left of the delay (checked
// against the deadline in its own log), and never runs a completed node
// again.
#include "ndjson.hpp"
#include "process.hpp"

#include "runtime/time_format.hpp"

#include <gtest/gtest.h>

#include <thread>

namespace baley::testing {
namespace {
namespace json = boost::json;
using namespace std::chrono_literals;

constexpr const char* delay_flow = R"({
  "name": "wait",
  "nodes": [
    {"id": "in", "type": "source", "data": {}},
    {"id": "first", "type": "function-block", "data": {"code": "{n: (.n + 1)}"}},
    {"id": "wait", "type": "delay", "data": {"ms": 4000}},
    {"id": "second", "type": "function-block", "data": {"code": "{n: (.n * 10)}"}},
    {"id": "out", "type": "sink", "data": {}}
  ],
  "edges": [
    {"id": "e1", "source": "in", "target": "first"},
    {"id": "e2", "source": "first", "target": "wait"},
    {"id": "e3", "source": "wait", "target": "second"},
    {"id": "e4", "source": "second", "target": "out"}
  ]
})";

TEST(recovery, a_delay_killed_midway_resumes_with_what_is_left) {
  temp_dir dir;
  auto flow_path = dir.path + "/flow.json";
  write_file(flow_path, delay_flow);
  auto data = dir.path + "/data";

  std::string execution_id;
  {
    child_process run(baley({"run", flow_path, "--data", data, "--input", R"({"n":1})"}));
    for (;;) {
      auto line = run.read_line(10s);
      ASSERT_TRUE(line) << "the run ended before the delay started";
      auto parsed = parse_lines(*line);
      execution_id = parsed.front().execution_id;
      if (type_of(parsed.front()) == "node_start" && node_of(parsed.front()) == "wait")
        break;
    }
    // Kill about a second into the 4 s delay.
    std::this_thread::sleep_for(1000ms);
    run.kill_hard();
    EXPECT_EQ(run.wait().exit_code, -1);
  }

  auto resumed = run_process(baley({"resume", "--data", data}));
  ASSERT_EQ(resumed.exit_code, 0) << resumed.err;

  auto replay = run_process(baley({"replay", execution_id, "--data", data}));
  ASSERT_EQ(replay.exit_code, 0) << replay.err;
  auto events = parse_lines(replay.out);
  EXPECT_EQ(count(events, "node_start", "first"), 1) << "a completed node never runs again";
  EXPECT_EQ(count(events, "node_start", "wait"), 1) << "the delay keeps its deadline";
  EXPECT_EQ(count(events, "node_complete", "wait"), 1);
  // Read off the log, not a stopwatch: the wait ended at its recorded
  // deadline, 4 s after it started, not 4 s after the resume began (the
  // resume started about 1 s into the delay, so a full wait would end ~1 s
  // past the deadline; a busy machine's start-up shows up as well under it).
  std::optional<std::int64_t> deadline, ended;
  for (const auto& e : events) {
    if (type_of(e) == "node_start" && node_of(e) == "wait")
      deadline = *parse_rfc3339_ms(e.event.at("deadline").as_string());
    if (type_of(e) == "node_complete" && node_of(e) == "wait")
      ended = *parse_rfc3339_ms(e.event.at("ts").as_string());
  }
  ASSERT_TRUE(deadline && ended);
  EXPECT_GE(*ended, *deadline) << "not before its deadline";
  EXPECT_LT(*ended, *deadline + 700) << "resume waits only what is left of the delay";
  ASSERT_EQ(type_of(events.back()), "execution_complete");
  EXPECT_EQ(events.back().event.at("output"), json::parse(R"({"n":20})"));
  for (std::size_t i = 0; i < events.size(); ++i)
    EXPECT_EQ(events[i].index, i);

  auto audit = run_process(baley({"audit", "--data", data}));
  EXPECT_EQ(audit.exit_code, 0) << audit.out;
  EXPECT_EQ(json::parse(audit.out).as_object().at("valid"), true);
}

TEST(recovery, resume_with_nothing_to_do_exits_zero) {
  temp_dir dir;
  auto r = run_process(baley({"resume", "--data", dir.path}));
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(r.out.empty());
}

TEST(recovery, sigint_cancels_the_run_and_exits_3) {
  temp_dir dir;
  auto flow_path = dir.path + "/flow.json";
  write_file(flow_path, delay_flow);
  child_process run(baley({"run", flow_path, "--data", dir.path + "/data"}));
  for (;;) {
    auto line = run.read_line(10s);
    ASSERT_TRUE(line);
    auto parsed = parse_lines(*line);
    if (type_of(parsed.front()) == "node_start" && node_of(parsed.front()) == "wait")
      break;
  }
  run.signal(SIGINT);
  auto r = run.wait();
  EXPECT_EQ(r.exit_code, 3) << r.err;
  auto events = parse_lines(r.out);
  EXPECT_EQ(type_of(events.back()), "execution_cancelled");
  EXPECT_EQ(count(events, "node_complete", "wait"), 0);
}

} // namespace
} // namespace baley::testing
