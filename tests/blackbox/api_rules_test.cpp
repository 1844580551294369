// The small rules of API.md ("Replay records, triggers, small rules"): replay
// items are the SSE data objects with their hash chain; lastEventIndex=-1
// streams from the start; every execution names its trigger; a webhook of a
// disabled flow answers 409 flow_disabled and is logged.
#include "server_process.hpp"
#include "sse_client.hpp"
#include "test_flows.hpp"

#include <gtest/gtest.h>

namespace baley::testing {
namespace {
namespace json = boost::json;
using namespace std::chrono_literals;

class api_rules : public server_test {};

// The data objects of every message of a finished execution's stream.
std::vector<json::value> stream_data(int port, const std::string& token, const std::string& id,
                                     const std::string& query = "") {
  sse_stream stream(port, "/api/executions/" + id + "/stream" + query,
                    {{"Authorization", "Bearer " + token}});
  std::vector<json::value> out;
  for (const auto& item : stream.read_to_end(20s))
    if (item.what == sse_item::kind::message && item.data != "[DONE]")
      out.push_back(json::parse(item.data));
  return out;
}

TEST_F(api_rules, replay_items_are_the_sse_data_objects_with_their_hash_chain) {
  auto id = api_.start(api_.create_flow(doubling_flow()), R"({"n":3})");
  api_.wait_terminal(id);
  auto replayed = api_.replay(id);
  auto streamed = stream_data(server_.port(), server_.admin_token(), id);
  ASSERT_GE(replayed.size(), 7u);
  ASSERT_EQ(replayed.size(), streamed.size());
  std::string prev(64, '0');
  for (std::size_t i = 0; i < replayed.size(); ++i) {
    EXPECT_EQ(replayed[i], streamed[i]) << i;
    const auto& item = replayed[i].as_object();
    EXPECT_EQ(item.size(), 4u) << json::serialize(item);
    EXPECT_EQ(item.at("index"), i);
    EXPECT_EQ(string_at(item, "prev"), prev) << "each links to the one before";
    prev = string_at(item, "hash");
    EXPECT_EQ(prev.size(), 64u);
    EXPECT_TRUE(item.at("event").is_object());
  }
  auto audit = api_.get("/api/executions/" + id + "/audit").json();
  EXPECT_EQ(string_at(audit, "head"), prev) << "the last hash is the audit's head";
}

TEST_F(api_rules, last_event_index_minus_one_streams_from_the_start) {
  auto id = api_.start(api_.create_flow(passthrough_flow()));
  api_.wait_terminal(id);
  auto all = stream_data(server_.port(), server_.admin_token(), id);
  auto from_minus_one = stream_data(server_.port(), server_.admin_token(), id,
                                    "?lastEventIndex=-1");
  ASSERT_FALSE(all.empty());
  EXPECT_EQ(from_minus_one, all);
  EXPECT_EQ(from_minus_one.front().at("index"), 0);
  auto from_one = stream_data(server_.port(), server_.admin_token(), id, "?lastEventIndex=1");
  ASSERT_FALSE(from_one.empty());
  EXPECT_EQ(from_one.front().at("index"), 2);
  sse_stream bad(server_.port(), "/api/executions/" + id + "/stream?lastEventIndex=-2",
                 {{"Authorization", "Bearer " + server_.admin_token()}});
  EXPECT_EQ(bad.status(), 400);
}

TEST_F(api_rules, an_api_execution_names_the_token_that_started_it) {
  auto token = api_.post("/api/tokens", R"({"name":"ci"})").json();
  auto member = server_.client(string_at(token, "token"));
  auto id = member.start(member.create_flow(passthrough_flow()));
  auto done = member.wait_terminal(id);
  EXPECT_EQ(done.at("trigger"), (json::object{{"type", "api"},
                                              {"tokenId", string_at(token, "id")}}));
  EXPECT_EQ(done.at("triggeredBy"), "api");
  auto listed = member.list_all("/api/executions");
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(listed[0].at("trigger"), done.at("trigger")) << "list items carry it too";
}

TEST_F(api_rules, a_webhook_execution_names_its_call_and_a_disabled_flow_refuses) {
  auto flow = api_.create_flow(passthrough_flow());
  auto secret = string_at(api_.post("/api/flows/" + flow + "/webhook", std::nullopt).json(),
                          "secret");
  auto hook = api_client(server_.url(), "");
  auto r = hook.post("/api/webhooks/" + flow + "/" + secret, R"({"x":1})");
  ASSERT_EQ(r.status, 202) << r.body;
  auto id = string_at(r.json(), "executionId");
  auto done = api_.wait_terminal(id);
  auto logs = api_.list_all("/api/flows/" + flow + "/webhook/logs");
  ASSERT_EQ(logs.size(), 1u);
  EXPECT_EQ(done.at("trigger"), (json::object{{"type", "webhook"},
                                              {"webhookCallId", logs[0].at("id")}}));

  // Disabled: refused like execute, and logged like every call.
  auto stored = api_.get("/api/flows/" + flow).json().as_object();
  stored["enabled"] = false;
  ASSERT_EQ(api_.put("/api/flows/" + flow, json::serialize(stored)).status, 200);
  auto refused = hook.post("/api/webhooks/" + flow + "/" + secret, R"({"x":2})");
  EXPECT_EQ(refused.status, 409) << refused.body;
  EXPECT_EQ(string_at(refused.json(), "code"), "flow_disabled");
  EXPECT_EQ(api_.post("/api/flows/" + flow + "/execute", R"({"input":{}})").status, 409);
  logs = api_.list_all("/api/flows/" + flow + "/webhook/logs");
  ASSERT_EQ(logs.size(), 2u);
  EXPECT_EQ(logs[0].at("status"), 409) << "newest first";
  EXPECT_TRUE(logs[0].at("executionId").is_null());
  EXPECT_EQ(api_.list_all("/api/executions").size(), 1u) << "nothing started";
}

} // namespace
} // namespace baley::testing
