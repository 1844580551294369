// Bad input to the command line: each gets one clear JSON line on stderr and
// exit code 2, and nothing is written to the log.
#include "ndjson.hpp"
#include "process.hpp"

#include <gtest/gtest.h>

#include <filesystem>

namespace baley::testing {
namespace {
namespace json = boost::json;
using namespace std::chrono_literals;

json::object error_of(const process_result& r) {
  EXPECT_EQ(r.err.find('\n'), r.err.size() - 1) << "one line: " << r.err;
  return json::parse(r.err).as_object();
}

// Events in a data dir; a dir that was never created holds none.
std::uint64_t events_in(const std::string& data) {
  if (!std::filesystem::exists(data))
    return 0;
  auto audit = run_process(baley({"audit", "--data", data}));
  return json::parse(audit.out).as_object().at("events").to_number<std::uint64_t>();
}

constexpr const char* linear = R"({"nodes":[{"id":"in","type":"source"},
  {"id":"f","type":"function-block","data":{"code":"."}},{"id":"out","type":"sink"}],
  "edges":[{"source":"in","target":"f"},{"source":"f","target":"out"}]})";

TEST(cli_errors, unreadable_flow_file) {
  temp_dir dir;
  auto r = run_process(baley({"run", dir.path + "/missing.json", "--data", dir.path + "/d"}));
  EXPECT_EQ(r.exit_code, 2);
  auto e = error_of(r);
  EXPECT_EQ(e.at("code"), "unreadable_file");
  EXPECT_NE(std::string(e.at("error").as_string()).find("missing.json"), std::string::npos);
}

TEST(cli_errors, flow_file_that_is_not_json_names_the_position) {
  temp_dir dir;
  write_file(dir.path + "/f.json", "{\n  \"nodes\": [,]\n}");
  auto r = run_process(baley({"run", dir.path + "/f.json", "--data", dir.path + "/d"}));
  EXPECT_EQ(r.exit_code, 2);
  auto e = error_of(r);
  EXPECT_EQ(e.at("code"), "invalid_json");
  EXPECT_NE(std::string(e.at("error").as_string()).find("line 2"), std::string::npos) << e;
  EXPECT_EQ(events_in(dir.path + "/d"), 0u);
}

TEST(cli_errors, invalid_input_json) {
  temp_dir dir;
  write_file(dir.path + "/f.json", linear);
  auto r = run_process(baley({"run", dir.path + "/f.json", "--input", "{oops", "--data",
                              dir.path + "/d"}));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(error_of(r).at("code"), "invalid_json");
  EXPECT_EQ(events_in(dir.path + "/d"), 0u);
}

TEST(cli_errors, unknown_type_and_dangling_edge_are_reported_together) {
  temp_dir dir;
  write_file(dir.path + "/f.json", R"({"nodes":[{"id":"in","type":"source"},
    {"id":"x","type":"warp"}],"edges":[{"source":"in","target":"x"},
    {"source":"x","target":"nowhere"}]})");
  auto r = run_process(baley({"run", dir.path + "/f.json", "--data", dir.path + "/d"}));
  EXPECT_EQ(r.exit_code, 2);
  auto e = error_of(r);
  EXPECT_EQ(e.at("code"), "invalid_flow");
  EXPECT_EQ(e.at("errors").as_array().size(), 2u) << e;
  EXPECT_EQ(events_in(dir.path + "/d"), 0u);
}

TEST(cli_errors, data_dir_that_cannot_be_created) {
  temp_dir dir;
  write_file(dir.path + "/f.json", linear);
  write_file(dir.path + "/plain-file", "x");
  auto r = run_process(baley({"run", dir.path + "/f.json", "--data",
                              dir.path + "/plain-file/data"}));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(error_of(r).at("code"), "data_dir_unusable");
}

TEST(cli_errors, data_dir_locked_by_another_process) {
  temp_dir dir;
  write_file(dir.path + "/wait.json", R"({"nodes":[{"id":"in","type":"source"},
    {"id":"w","type":"delay","data":{"ms":5000}},{"id":"out","type":"sink"}],
    "edges":[{"source":"in","target":"w"},{"source":"w","target":"out"}]})");
  write_file(dir.path + "/f.json", linear);
  auto data = dir.path + "/d";
  child_process holder(baley({"run", dir.path + "/wait.json", "--data", data}));
  ASSERT_TRUE(holder.read_line(10s)) << "the first run started";
  auto r = run_process(baley({"run", dir.path + "/f.json", "--data", data}));
  EXPECT_EQ(r.exit_code, 2);
  auto e = error_of(r);
  EXPECT_EQ(e.at("code"), "data_dir_locked");
  EXPECT_TRUE(r.out.empty());
  holder.signal(SIGINT);
  EXPECT_EQ(holder.wait().exit_code, 3);
}

TEST(cli_errors, usage_errors) {
  EXPECT_EQ(run_process(baley({})).exit_code, 2);
  EXPECT_EQ(run_process(baley({"frobnicate"})).exit_code, 2);
  EXPECT_EQ(run_process(baley({"run"})).exit_code, 2);
  EXPECT_EQ(run_process(baley({"run", "a.json", "--bogus", "1"})).exit_code, 2);
  EXPECT_EQ(run_process(baley({"run", "a.json", "--durability", "sometimes"})).exit_code, 2);
  EXPECT_EQ(run_process(baley({"replay", "x"})).exit_code, 2);
}

TEST(cli_errors, replay_of_an_unknown_execution) {
  temp_dir dir;
  auto r = run_process(baley({"replay", "0190c6a4-3c1e-7000-8000-000000000000", "--data",
                              dir.path}));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(error_of(r).at("code"), "not_found");
}

} // namespace
} // namespace baley::testing
