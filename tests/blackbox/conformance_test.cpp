// Runs every flow case of shared/conformance through `baley run` and checks
// its `expect`; a new file there is a new test with no new code.
#include "ndjson.hpp"
#include "conformance_files.hpp"
#include "process.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <set>

namespace baley::testing {
namespace {
namespace json = boost::json;

class conformance : public ::testing::TestWithParam<std::string> {};

void check_invalid(const std::string& path, const json::object& invalid) {
  temp_dir data;
  auto r = run_process(baley({"run", path, "--data", data.path}));
  ASSERT_EQ(r.exit_code, 2) << r.err;
  EXPECT_TRUE(r.out.empty()) << r.out;
  auto body = json::parse(r.err).as_object();
  EXPECT_EQ(body.at("code"), "invalid_flow");
  std::set<std::string> named;
  for (const auto& e : body.at("errors").as_array())
    if (e.as_object().at("nodeId").is_string())
      named.insert(std::string(e.as_object().at("nodeId").as_string()));
  for (const auto& id : invalid.at("nodeIds").as_array())
    EXPECT_TRUE(named.count(std::string(id.as_string()))) << "not named: " << id;
  auto audit = run_process(baley({"audit", "--data", data.path}));
  EXPECT_EQ(json::parse(audit.out).as_object().at("events"), 0) << "nothing is written";
}

std::set<std::string> nodes_ending_with(const std::vector<output_line>& lines,
                                        std::string_view type) {
  std::map<std::string, std::string> last;
  for (const auto& l : lines)
    if (!node_of(l).empty() && !l.event.contains("iteration"))
      last[node_of(l)] = type_of(l);
  std::set<std::string> out;
  for (const auto& [node, t] : last)
    if (t == type)
      out.insert(node);
  return out;
}

void check_case(const std::string& path, const json::object& c) {
  const auto& expect = c.at("expect").as_object();
  auto input = c.contains("input") ? json::serialize(c.at("input")) : std::string("{}");
  auto r = run_process(baley({"run", path, "--input", input}));
  auto lines = parse_lines(r.out);
  ASSERT_FALSE(lines.empty()) << r.err;
  for (std::size_t i = 0; i < lines.size(); ++i)
    EXPECT_EQ(lines[i].index, i) << "indexes are contiguous from 0";
  const auto& last = lines.back();
  auto status = std::string(expect.at("status").as_string());
  std::map<std::string, std::pair<std::string, int>> terminal = {
    {"completed", {"execution_complete", 0}},
    {"failed", {"execution_error", 1}},
    {"cancelled", {"execution_cancelled", 3}}};
  EXPECT_EQ(type_of(last), terminal.at(status).first);
  EXPECT_EQ(r.exit_code, terminal.at(status).second) << r.err;
  if (auto* output = expect.if_contains("output")) {
    EXPECT_TRUE(runtime::json_equal(last.event.at("output"), *output))
      << "got " << json::serialize(last.event.at("output"))
      << " want " << json::serialize(*output);
  }
  if (auto* contains = expect.if_contains("errorContains")) {
    EXPECT_NE(std::string(last.event.at("error").as_string()).find(contains->as_string()),
              std::string::npos) << last.event.at("error");
  }
  auto skipped = nodes_ending_with(lines, "node_skipped");
  auto completed = nodes_ending_with(lines, "node_complete");
  if (auto* ids = expect.if_contains("skipped")) {
    for (const auto& id : ids->as_array()) {
      EXPECT_TRUE(skipped.count(std::string(id.as_string()))) << id << " not skipped";
    }
  }
  if (auto* ids = expect.if_contains("completed")) {
    for (const auto& id : ids->as_array()) {
      EXPECT_TRUE(completed.count(std::string(id.as_string()))) << id << " not completed";
    }
  }
}

TEST_P(conformance, passes_through_the_command_line) {
  auto file = load_conformance_file(GetParam()).as_object();
  if (auto* invalid = file.if_contains("invalid")) {
    check_invalid(GetParam(), invalid->as_object());
    return;
  }
  std::size_t n = 0;
  for (const auto& c : file.at("cases").as_array()) {
    SCOPED_TRACE("case " + std::to_string(n++));
    check_case(GetParam(), c.as_object());
  }
}

INSTANTIATE_TEST_SUITE_P(
  shared, conformance, ::testing::ValuesIn(conformance_files()),
  [](const ::testing::TestParamInfo<std::string>& info) {
    return conformance_case_name(info.param);
  });

} // namespace
} // namespace baley::testing
