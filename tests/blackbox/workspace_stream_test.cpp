// GET /api/stream (API.md, "Workspace stream"): one SSE stream of every
// execution's start and end in the workspace, with positions as ids;
// Last-Event-ID resumes with nothing lost or repeated; test runs only with
// ?kind=test; another workspace sees nothing; a bad Last-Event-ID is 400.
#include "server_process.hpp"
#include "sse_client.hpp"
#include "test_flows.hpp"

#include <gtest/gtest.h>

namespace baley::testing {
namespace {
namespace json = boost::json;
using namespace std::chrono_literals;

class workspace_stream : public server_test {
protected:
  header_list auth(const std::string& token) const { return {{"Authorization", "Bearer " + token}}; }
  header_list auth() const { return auth(server_.admin_token()); }

  // The next `count` messages (comments and retry lines skipped).
  static std::vector<sse_item> messages(sse_stream& s, std::size_t count) {
    std::vector<sse_item> out;
    while (out.size() < count) {
      auto item = s.next(10s);
      if (!item)
        break;
      if (item->what == sse_item::kind::message)
        out.push_back(*item);
    }
    return out;
  }
};

TEST_F(workspace_stream, every_start_and_end_once_and_a_resume_loses_nothing) {
  auto flow = api_.create_flow(delay_flow(20));
  sse_stream live(server_.port(), "/api/stream", auth());
  ASSERT_EQ(live.status(), 200);
  auto first = api_.start(flow, R"({"n":1})");
  api_.wait_terminal(first);
  auto got = messages(live, 2);
  ASSERT_EQ(got.size(), 2u);
  auto start = json::parse(got[0].data), end = json::parse(got[1].data);
  EXPECT_EQ(string_at(start, "executionId"), first);
  EXPECT_EQ(string_at(start, "flowId"), flow);
  EXPECT_EQ(start.at("status"), "running");
  EXPECT_TRUE(start.at("completedAt").is_null());
  EXPECT_EQ(start.at("trigger").at("type"), "api");
  EXPECT_EQ(string_at(end, "executionId"), first);
  EXPECT_EQ(end.at("status"), "completed");
  EXPECT_EQ(end.at("startedAt"), start.at("startedAt"));
  EXPECT_TRUE(end.at("completedAt").is_string());
  EXPECT_TRUE(end.at("metrics").at("totalDurationMs").is_number());
  EXPECT_LT(std::stoull(got[0].id), std::stoull(got[1].id)) << "ids are positions, in order";
  live.close();

  // Two more executions while nobody listens; a resume from the first start
  // gets the first end and both of them, each once.
  auto second = api_.start(flow, R"({"n":2})");
  api_.wait_terminal(second);
  auto third = api_.start(flow, R"({"n":3})");
  api_.wait_terminal(third);
  auto resumed_headers = auth();
  resumed_headers.emplace_back("Last-Event-ID", got[0].id);
  sse_stream resumed(server_.port(), "/api/stream", resumed_headers);
  ASSERT_EQ(resumed.status(), 200);
  auto again = messages(resumed, 5);
  ASSERT_EQ(again.size(), 5u);
  EXPECT_EQ(again[0].id, got[1].id);
  std::vector<std::pair<std::string, std::string>> seen;
  for (const auto& m : again) {
    auto d = json::parse(m.data);
    seen.emplace_back(std::string(d.at("executionId").as_string()), std::string(d.at("status").as_string()));
  }
  EXPECT_EQ(seen, (std::vector<std::pair<std::string, std::string>>{
                    {first, "completed"}, {second, "running"}, {second, "completed"},
                    {third, "running"}, {third, "completed"}}));
  // And then live, with no repeat.
  auto fourth = api_.start(flow, R"({"n":4})");
  api_.wait_terminal(fourth);
  auto live_again = messages(resumed, 2);
  ASSERT_EQ(live_again.size(), 2u);
  EXPECT_EQ(string_at(json::parse(live_again[0].data), "executionId"), fourth);
  EXPECT_GT(std::stoull(live_again[0].id), std::stoull(again.back().id));
}

TEST_F(workspace_stream, other_workspaces_and_test_runs_stay_out_and_bad_ids_are_400) {
  auto ws = api_.post("/api/workspaces", R"({"name":"other"})");
  ASSERT_EQ(ws.status, 201) << ws.body;
  auto other_token = string_at(ws.json(), "token");
  sse_stream theirs(server_.port(), "/api/stream", auth(other_token));
  ASSERT_EQ(theirs.status(), 200);
  auto block = api_.post("/api/blocks", R"({"name":"f","type":"function-block","config":{"code":"."}})");
  ASSERT_EQ(block.status, 201) << block.body;
  sse_stream tests(server_.port(), "/api/stream?kind=test", auth());
  sse_stream flows(server_.port(), "/api/stream", auth());
  ASSERT_EQ(tests.status(), 200);
  ASSERT_EQ(api_.post("/api/blocks/" + string_at(block.json(), "id") + "/test?wait=10",
                      R"({"input":{"a":1}})").status, 200);
  auto flow_run = api_.start(api_.create_flow(delay_flow(1)), "{}");
  api_.wait_terminal(flow_run);
  auto test_messages = messages(tests, 2);
  ASSERT_EQ(test_messages.size(), 2u);
  EXPECT_EQ(json::parse(test_messages[0].data).at("trigger").at("type"), "test");
  auto flow_messages = messages(flows, 2);
  ASSERT_EQ(flow_messages.size(), 2u);
  EXPECT_EQ(string_at(json::parse(flow_messages[0].data), "executionId"), flow_run)
    << "the test run is not in the flows' stream";
  auto nothing = theirs.next(300ms);
  while (nothing && nothing->what != sse_item::kind::message)
    nothing = theirs.next(300ms);
  EXPECT_FALSE(nothing) << "another workspace sees nothing";

  for (const char* bad : {"x", "-1", "1.5"}) {
    auto headers = auth();
    headers.emplace_back("Last-Event-ID", bad);
    sse_stream refused(server_.port(), "/api/stream", headers);
    EXPECT_EQ(refused.status(), 400) << bad;
  }
  sse_stream unknown_kind(server_.port(), "/api/stream?kind=other", auth());
  EXPECT_EQ(unknown_kind.status(), 400);
  sse_stream anonymous(server_.port(), "/api/stream", {});
  EXPECT_EQ(anonymous.status(), 401);
}

} // namespace
} // namespace baley::testing
