// Flow CRUD over HTTP (API.md "Flows and blocks"): create at version 1, PUT
// adds one, lists newest first with cursors, soft delete (404 after, its
// executions still readable), invalid flows refused with every error named,
// disabled flows refused with 409.
#include "runtime/json_text.hpp"
#include "server_process.hpp"
#include "test_flows.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

namespace baley::testing {
namespace {
namespace json = boost::json;

class flows : public server_test {};

std::int64_t version_of(const json::value& flow) {
  auto* v = flow.is_object() ? flow.as_object().if_contains("version") : nullptr;
  return v && v->is_number() ? v->to_number<std::int64_t>() : -1;
}

constexpr const char* unknown_id = "0190c6a4-3c1e-7000-8000-000000000000";

TEST_F(flows, create_read_update_with_versions) {
  auto created = api_.post("/api/flows", doubling_flow("first name"));
  ASSERT_EQ(created.status, 201) << created.body;
  auto flow = created.json();
  auto id = string_at(flow, "id");
  EXPECT_TRUE(is_uuid_v7(id)) << created.body;
  EXPECT_EQ(version_of(flow), 1);
  EXPECT_EQ(string_at(flow, "name"), "first name");
  EXPECT_EQ(flow.at("nodes").as_array().size(), 3u);
  EXPECT_EQ(flow.at("edges").as_array().size(), 2u);

  auto read = api_.get("/api/flows/" + id);
  ASSERT_EQ(read.status, 200) << read.body;
  EXPECT_EQ(string_at(read.json(), "id"), id);
  EXPECT_EQ(version_of(read.json()), 1);
  EXPECT_EQ(read.json().at("nodes"), flow.at("nodes"));

  auto updated = api_.put("/api/flows/" + id, passthrough_flow("second name"));
  ASSERT_EQ(updated.status, 200) << updated.body;
  EXPECT_EQ(version_of(updated.json()), 2);
  EXPECT_EQ(string_at(updated.json(), "id"), id);
  read = api_.get("/api/flows/" + id);
  EXPECT_EQ(version_of(read.json()), 2);
  EXPECT_EQ(string_at(read.json(), "name"), "second name");
  EXPECT_EQ(read.json().at("nodes").as_array().size(), 2u);

  EXPECT_EQ(version_of(api_.put("/api/flows/" + id, doubling_flow("third")).json()), 3);

  // An execution runs and records the latest version.
  auto execution = api_.start(id, R"({"n":4})");
  auto done = api_.wait_terminal(execution);
  EXPECT_EQ(string_at(done, "status"), "completed") << done;
  ASSERT_TRUE(done.is_object());
  EXPECT_EQ(done.at("flowVersion"), 3);
  EXPECT_TRUE(runtime::json_equal(done.at("output"), json::parse(R"({"n":8})"))) << done;
}

TEST_F(flows, list_newest_first_with_cursor) {
  std::vector<std::string> ids;
  for (auto name : {"f0", "f1", "f2"})
    ids.push_back(api_.create_flow(passthrough_flow(name)));
  auto all = api_.get("/api/flows");
  ASSERT_EQ(all.status, 200) << all.body;
  auto items = all.json().at("items").as_array();
  ASSERT_EQ(items.size(), 3u);
  SCOPED_TRACE("created in this order: " + ids[0] + ", " + ids[1] + ", " + ids[2]);
  EXPECT_EQ(string_at(items[0], "id"), ids[2]);
  EXPECT_EQ(string_at(items[1], "id"), ids[1]);
  EXPECT_EQ(string_at(items[2], "id"), ids[0]);
  EXPECT_TRUE(all.json().at("nextCursor").is_null());

  auto page1 = api_.get("/api/flows?limit=2").json();
  ASSERT_EQ(page1.at("items").as_array().size(), 2u);
  EXPECT_EQ(string_at(page1.at("items").as_array()[0], "id"), ids[2]);
  ASSERT_TRUE(page1.at("nextCursor").is_string()) << page1;
  auto page2 = api_.get("/api/flows?limit=2&cursor=" +
                        std::string(page1.at("nextCursor").as_string())).json();
  ASSERT_EQ(page2.at("items").as_array().size(), 1u) << page2;
  EXPECT_EQ(string_at(page2.at("items").as_array()[0], "id"), ids[0]);
  EXPECT_TRUE(page2.at("nextCursor").is_null());
}

TEST_F(flows, flows_created_within_one_millisecond_still_list_newest_first) {
  // Quick creates share a millisecond; the order must not depend on the
  // random bits of their UUIDv7 ids.
  std::vector<std::string> created;
  for (int i = 0; i < 30; ++i)
    created.push_back(api_.create_flow(passthrough_flow()));
  std::vector<std::string> listed;
  for (const auto& item : api_.list_all("/api/flows"))
    listed.push_back(string_at(item, "id"));
  std::reverse(created.begin(), created.end());
  EXPECT_EQ(listed, created);
}

TEST_F(flows, soft_delete_hides_the_flow_but_not_its_executions) {
  auto id = api_.create_flow(doubling_flow());
  auto execution = api_.start(id, R"({"n":1})");
  api_.wait_terminal(execution);

  auto gone = api_.del("/api/flows/" + id);
  EXPECT_EQ(gone.status, 204) << gone.body;
  EXPECT_TRUE(gone.body.empty());
  EXPECT_EQ(api_.get("/api/flows/" + id).status, 404);
  EXPECT_EQ(api_.put("/api/flows/" + id, passthrough_flow()).status, 404);
  EXPECT_EQ(api_.post("/api/flows/" + id + "/execute", "{}").status, 404);
  EXPECT_EQ(api_.del("/api/flows/" + id).status, 404);
  EXPECT_TRUE(api_.list_all("/api/flows").empty());

  auto read = api_.get("/api/executions/" + execution);
  ASSERT_EQ(read.status, 200) << read.body;
  EXPECT_EQ(string_at(read.json(), "flowId"), id);
  EXPECT_EQ(string_at(read.json(), "status"), "completed");
  EXPECT_FALSE(api_.replay(execution).empty());
  EXPECT_EQ(api_.get("/api/executions/" + execution + "/audit").status, 200);
  EXPECT_EQ(api_.list_all("/api/executions?flowId=" + id).size(), 1u);
}

TEST_F(flows, unknown_flow_is_404) {
  for (auto method : {"GET", "DELETE"})
    EXPECT_EQ(api_.send(method, std::string("/api/flows/") + unknown_id).status, 404) << method;
  EXPECT_EQ(api_.put(std::string("/api/flows/") + unknown_id, passthrough_flow()).status, 404);
  EXPECT_EQ(api_.post(std::string("/api/flows/") + unknown_id + "/execute", "{}").status, 404);
  EXPECT_EQ(api_.get("/api/flows/not-an-id").status, 404);
}

json::value load(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return json::parse(text.str());
}

TEST_F(flows, invalid_flows_are_refused_naming_every_node) {
  auto existing = api_.create_flow(passthrough_flow());
  int files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(BALEY_CONFORMANCE_DIR)) {
    if (entry.path().extension() != ".json")
      continue;
    auto file = load(entry.path().string()).as_object();
    auto* invalid = file.if_contains("invalid");
    if (!invalid)
      continue;
    ++files;
    SCOPED_TRACE(entry.path().filename().string());
    auto body = json::serialize(file.at("flow"));
    for (auto [method, path] : {std::pair<std::string, std::string>{"POST", "/api/flows"},
                                {"PUT", "/api/flows/" + existing}}) {
      auto r = api_.send(method, path, body);
      EXPECT_EQ(r.status, 400) << method << " " << r.body;
      auto v = r.json();
      EXPECT_EQ(string_at(v, "code"), "invalid_flow") << r.body;
      EXPECT_FALSE(string_at(v, "error").empty()) << r.body;
      std::set<std::string> named;
      if (auto* errors = v.is_object() ? v.as_object().if_contains("errors") : nullptr) {
        for (const auto& e : errors->as_array()) {
          EXPECT_FALSE(string_at(e, "message").empty()) << e;
          named.insert(string_at(e, "nodeId"));
        }
      } else {
        ADD_FAILURE() << "no errors[]: " << r.body;
      }
      for (const auto& id : invalid->as_object().at("nodeIds").as_array())
        EXPECT_TRUE(named.count(std::string(id.as_string()))) << "not named: " << id << " in "
                                                              << r.body;
    }
  }
  EXPECT_GT(files, 0) << "no invalid cases in " << BALEY_CONFORMANCE_DIR;
  EXPECT_EQ(api_.list_all("/api/flows").size(), 1u) << "nothing was created";
  EXPECT_EQ(version_of(api_.get("/api/flows/" + existing).json()), 1) << "nor updated";
}


// A fraction where a whole number belongs once threw out of the settings
// parser, inside the API actor: it is a problem like any other.
TEST_F(flows, fractions_in_whole_number_settings_are_named_and_the_server_stays_up) {
  auto r = api_.post("/api/flows", R"({"name":"f","nodes":[{"id":"in","type":"source"},
    {"id":"ask","type":"ai-block","data":{"connectionId":"c-1","model":"m","maxTokens":1.5,
      "timeoutMs":150.5}},
    {"id":"each","type":"loop","data":{"over":".","concurrency":2.5,
      "body":{"type":"function-block","code":"."}}}],
    "edges":[{"source":"in","target":"ask"},{"source":"in","target":"each"}]})");
  EXPECT_EQ(r.status, 400) << r.body;
  EXPECT_EQ(string_at(r.json(), "code"), "invalid_flow") << r.body;
  for (auto needle : {"data.maxTokens must be an integer", "data.timeoutMs must be an integer",
                      "data.concurrency must be an integer"})
    EXPECT_NE(r.body.find(needle), std::string::npos) << needle << " in " << r.body;
  EXPECT_EQ(api_.get("/healthz").status, 200);
  EXPECT_TRUE(api_.list_all("/api/flows").empty());
}
TEST_F(flows, a_disabled_flow_does_not_execute) {
  auto flow = json::parse(passthrough_flow()).as_object();
  flow["enabled"] = false;
  auto created = api_.post("/api/flows", json::serialize(flow));
  ASSERT_EQ(created.status, 201) << created.body;
  auto id = string_at(created.json(), "id");
  auto refused = api_.post("/api/flows/" + id + "/execute", "{}");
  EXPECT_EQ(refused.status, 409) << refused.body;
  EXPECT_FALSE(refused.code().empty()) << refused.body;
  EXPECT_TRUE(api_.list_all("/api/executions").empty());

  flow["enabled"] = true;
  ASSERT_EQ(api_.put("/api/flows/" + id, json::serialize(flow)).status, 200);
  EXPECT_EQ(api_.post("/api/flows/" + id + "/execute", "{}").status, 202);
}

} // namespace
} // namespace baley::testing
