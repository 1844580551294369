// Runs every flow case of shared/conformance through the HTTP API: create the
// flow, execute it with ?wait=5, read the execution; checks `expect` like
// conformance_test.cpp does through the command line, with node outcomes
// taken from the execution's nodes[].status.
#include "conformance_files.hpp"
#include "runtime/json_text.hpp"
#include "server_process.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

namespace baley::testing {
namespace {
namespace json = boost::json;

class conformance_http : public server_test,
                         public ::testing::WithParamInterface<std::string> {};

void check_invalid(const api_client& api, const json::object& file) {
  auto r = api.post("/api/flows", json::serialize(file.at("flow")));
  ASSERT_EQ(r.status, 400) << r.body;
  auto body = r.json();
  EXPECT_EQ(string_at(body, "code"), "invalid_flow");
  std::set<std::string> named;
  for (const auto& e : body.at("errors").as_array())
    named.insert(string_at(e, "nodeId"));
  for (const auto& id : file.at("invalid").as_object().at("nodeIds").as_array())
    EXPECT_TRUE(named.count(std::string(id.as_string()))) << "not named: " << id;
  EXPECT_TRUE(api.list_all("/api/flows").empty()) << "nothing is created";
  EXPECT_TRUE(api.list_all("/api/executions").empty());
}

// The execution's error as text: a string, or an object's `message`.
std::string error_text(const json::value& execution) {
  const auto& e = execution.at("error");
  if (e.is_string())
    return std::string(e.as_string());
  if (e.is_object())
    return string_at(e, "message");
  return json::serialize(e);
}

// Node id -> status, from the rows that are not loop iterations.
std::map<std::string, std::string> node_statuses(const json::value& execution) {
  std::map<std::string, std::string> out;
  for (const auto& n : execution.at("nodes").as_array())
    if (auto* it = n.as_object().if_contains("iteration"); !it || it->is_null())
      out[string_at(n, "nodeId")] = string_at(n, "status");
  return out;
}

void check_case(const api_client& api, const std::string& flow_id, const json::object& c) {
  const auto& expect = c.at("expect").as_object();
  auto input = c.contains("input") ? json::serialize(c.at("input")) : std::string("{}");
  auto r = api.post("/api/flows/" + flow_id + "/execute?wait=5", input_body(input));
  ASSERT_TRUE(r.status == 200 || r.status == 202) << r.status << " " << r.body;
  auto execution = r.json();
  if (r.status == 202 || !is_terminal(string_at(execution, "status")))
    execution = api.wait_terminal(string_at(execution, r.status == 202 ? "executionId" : "id"));
  ASSERT_TRUE(execution.is_object()) << r.body;
  SCOPED_TRACE(json::serialize(execution).substr(0, 3000));

  auto status = std::string(expect.at("status").as_string());
  EXPECT_EQ(string_at(execution, "status"), status);
  if (auto* output = expect.if_contains("output")) {
    EXPECT_TRUE(runtime::json_equal(execution.at("output"), *output))
      << "got " << json::serialize(execution.at("output")) << " want "
      << json::serialize(*output);
  }
  if (auto* contains = expect.if_contains("errorContains")) {
    EXPECT_NE(error_text(execution).find(contains->as_string()), std::string::npos);
  }

  auto nodes = node_statuses(execution);
  if (auto* ids = expect.if_contains("skipped")) {
    for (const auto& id : ids->as_array())
      EXPECT_EQ(nodes[std::string(id.as_string())], "skipped") << id;
  }
  if (auto* ids = expect.if_contains("completed")) {
    for (const auto& id : ids->as_array())
      EXPECT_EQ(nodes[std::string(id.as_string())], "completed") << id;
  }

  // The log behind it: contiguous from 0, one terminal event, the last.
  auto events = api.replay(string_at(execution, "id"));
  ASSERT_FALSE(events.empty());
  std::map<std::string, std::string> terminal = {{"completed", "execution_complete"},
                                                 {"failed", "execution_error"},
                                                 {"cancelled", "execution_cancelled"}};
  for (std::size_t i = 0; i < events.size(); ++i)
    EXPECT_EQ(events[i].at("index"), i);
  EXPECT_EQ(string_at(events.back().at("event"), "type"), terminal.at(status));
}

TEST_P(conformance_http, passes_through_the_api) {
  auto file = load_conformance_file(GetParam()).as_object();
  if (file.contains("invalid")) {
    check_invalid(api_, file);
    return;
  }
  auto flow_id = api_.create_flow(json::serialize(file.at("flow")));
  ASSERT_FALSE(flow_id.empty());
  std::size_t n = 0;
  for (const auto& c : file.at("cases").as_array()) {
    SCOPED_TRACE("case " + std::to_string(n++));
    check_case(api_, flow_id, c.as_object());
  }
}

INSTANTIATE_TEST_SUITE_P(
  shared, conformance_http, ::testing::ValuesIn(conformance_files()),
  [](const ::testing::TestParamInfo<std::string>& info) {
    return conformance_case_name(info.param);
  });

} // namespace
} // namespace baley::testing
