// Recovery isolation, from outside: after a SIGKILL, an unfinished execution
// that cannot resume (its connection was deleted meanwhile) ends `failed`
// with an error naming the connection and a log line, and every other one
// still resumes and stays under control (cancel, ?wait, stream), through the
// server and through `baley resume` (exit codes 1 and 3 included).
#include "ndjson.hpp"
#include "server_process.hpp"
#include "test_flows.hpp"

#include <gtest/gtest.h>

#include <csignal>
#include <thread>

namespace baley::testing {
namespace {
namespace json = boost::json;
using namespace std::chrono_literals;

// A server whose log holds, first, an ai-block execution whose connection
// was deleted while it ran, then a delay execution, both unfinished: the
// server was killed during both.
class killed_mid_flight : public ::testing::Test {
protected:
  void SetUp() override {
    ASSERT_TRUE(server_.start()) << server_.diagnostics();
    api_ = server_.admin();
    connection_ = api_.create_simulated_connection("slow", 1000);
    ASSERT_FALSE(connection_.empty());
    auto ai_flow = api_.create_flow(R"({"name":"ai","nodes":[{"id":"in","type":"source"},
      {"id":"ask","type":"ai-block","data":{"connectionId":")" + connection_
                                    + R"(","model":"sim-1","goal":"Say a lot."}},
      {"id":"out","type":"sink"}],
      "edges":[{"source":"in","target":"ask"},{"source":"ask","target":"out"}]})");
    auto wait_flow = api_.create_flow(delay_flow(60'000));
    ai_ = api_.start(ai_flow);  // older: listed first at recovery
    auto r2 = api_.post("/api/flows/" + wait_flow + "/execute", R"({"input":{"n":1}})",
                        {{"Idempotency-Key", "the-wait"}});
    ASSERT_EQ(r2.status, 202) << r2.body;
    waiting_ = string_at(r2.json(), "executionId");
    wait_flow_ = wait_flow;
    ASSERT_TRUE(api_.wait_node_running(ai_, "ask"));
    ASSERT_TRUE(api_.wait_node_running(waiting_, "wait"));
    ASSERT_EQ(api_.del("/api/connections/" + connection_).status, 204);
    server_.kill();
  }

  server_process server_{{"--durability", "buffered"}};
  api_client api_;
  std::string connection_, ai_, waiting_, wait_flow_;
};

TEST_F(killed_mid_flight, the_server_ends_the_one_that_cannot_resume_and_resumes_the_rest) {
  ASSERT_TRUE(server_.start()) << server_.diagnostics();
  api_ = server_.admin();

  auto failed = api_.wait_terminal(ai_);
  EXPECT_EQ(failed.at("status"), "failed");
  EXPECT_EQ(failed.at("errorCode"), "cannot_resume");
  auto error = string_at(failed, "error");
  EXPECT_NE(error.find("connection '" + connection_ + "' not found"), std::string::npos) << error;
  bool logged = false;
  for (const auto& line : server_.stdout_lines())
    logged |= line.find("execution not resumed") != std::string::npos
              && line.find(ai_) != std::string::npos
              && line.find(connection_) != std::string::npos;
  EXPECT_TRUE(logged) << server_.diagnostics();

  // The other resumed, and is under control.
  EXPECT_EQ(api_.execution(waiting_).at("status"), "running");
  auto cancel = api_.post("/api/executions/" + waiting_ + "/cancel", std::nullopt);
  EXPECT_EQ(cancel.status, 200) << cancel.body << "\n" << server_.diagnostics();
  EXPECT_EQ(api_.wait_terminal(waiting_).at("status"), "cancelled");
}

TEST_F(killed_mid_flight, a_resumed_execution_answers_a_wait_when_it_ends) {
  ASSERT_TRUE(server_.start()) << server_.diagnostics();
  api_ = server_.admin();
  std::thread canceller([&] {
    std::this_thread::sleep_for(500ms);
    api_.post("/api/executions/" + waiting_ + "/cancel", std::nullopt);
  });
  // The same Idempotency-Key names the resumed execution; ?wait holds the
  // request until it ends.
  auto waited = api_.post("/api/flows/" + wait_flow_ + "/execute?wait=20",
                          R"({"input":{"n":1}})", {{"Idempotency-Key", "the-wait"}});
  canceller.join();
  EXPECT_EQ(waited.status, 200) << waited.body;
  EXPECT_EQ(string_at(waited.json(), "id"), waiting_);
  EXPECT_EQ(string_at(waited.json(), "status"), "cancelled");
}

TEST_F(killed_mid_flight, baley_resume_ends_the_one_that_cannot_resume_and_exits_1) {
  child_process resume(baley({"resume", "--data", server_.data_dir()}));
  // The delay has a minute left: cancel it once it runs again.
  for (bool failed = false; !failed;) {
    auto line = resume.read_line(20s);
    ASSERT_TRUE(line) << "resume ended early";
    failed = count(parse_lines(*line), "execution_error") == 1;
  }
  resume.signal(SIGINT);
  auto r = resume.wait();  // every line, those read above included
  EXPECT_EQ(r.exit_code, 1) << "a failed execution wins over a cancelled one\n" << r.err;
  EXPECT_NE(r.err.find("execution not resumed"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find(connection_), std::string::npos) << r.err;
  auto seen = parse_lines(r.out);
  ASSERT_EQ(count(seen, "execution_error"), 1);
  ASSERT_EQ(count(seen, "execution_cancelled"), 1);
  for (const auto& e : seen) {
    if (type_of(e) == "execution_error") {
      EXPECT_EQ(e.execution_id, ai_);
    } else if (type_of(e) == "execution_cancelled") {
      EXPECT_EQ(e.execution_id, waiting_);
    }
  }
}

TEST(resume_exit_codes, a_cancelled_resume_with_nothing_failed_exits_3) {
  server_process server({"--durability", "buffered"});
  ASSERT_TRUE(server.start()) << server.diagnostics();
  auto api = server.admin();
  auto id = api.start(api.create_flow(jq_flow("def f: f; f", 60'000)));
  ASSERT_TRUE(api.wait_node_running(id, "f"));
  server.kill();
  child_process resume(baley({"resume", "--data", server.data_dir()}));
  // The endless node runs again as attempt 2: its node_start says resume runs.
  auto line = resume.read_line(20s);
  ASSERT_TRUE(line);
  EXPECT_EQ(node_of(parse_lines(*line).front()), "f");
  resume.signal(SIGINT);
  auto r = resume.wait();
  EXPECT_EQ(r.exit_code, 3) << r.err;
  auto events = parse_lines(r.out);
  ASSERT_FALSE(events.empty());
  EXPECT_EQ(type_of(events.back()), "execution_cancelled");
}

} // namespace
} // namespace baley::testing
