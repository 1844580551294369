// `baley run` against a source's data.inputSchema (DESIGN.md "Inputs"): an
// input the schema refuses is one JSON line on stderr with code invalid_input
// and the source's id, exit 2, and no data directory is written; an input it
// accepts runs; a schema that does not compile is an invalid flow.
#include "ndjson.hpp"
#include "process.hpp"

#include <gtest/gtest.h>

#include <filesystem>

namespace baley::testing {
namespace {
namespace json = boost::json;

constexpr const char* typed = R"({"nodes":[
  {"id":"in","type":"source","data":{"inputSchema":{"type":"object","required":["items"],
    "properties":{"items":{"type":"array","items":{"type":"object","required":["price"],
      "properties":{"price":{"type":"number","minimum":0}}}}}}}},
  {"id":"total","type":"function-block","data":{"code":"[.items[].price] | add"}},
  {"id":"out","type":"sink"}],
  "edges":[{"source":"in","target":"total"},{"source":"total","target":"out"}]})";

json::object error_of(const process_result& r) {
  EXPECT_EQ(r.err.find('\n'), r.err.size() - 1) << "one line: " << r.err;
  return json::parse(r.err).as_object();
}

struct run_in_temp {
  temp_dir dir;
  std::string flow = dir.path + "/flow.json";
  std::string data = dir.path + "/data";

  explicit run_in_temp(const char* text) { write_file(flow, text); }

  process_result run(std::vector<std::string> extra) {
    std::vector<std::string> args{"run", flow, "--data", data};
    args.insert(args.end(), extra.begin(), extra.end());
    return run_process(baley(args));
  }
};

TEST(input_schema, a_mismatch_names_the_path_and_starts_nothing) {
  run_in_temp t(typed);
  auto r = t.run({"--input", R"({"items":[{"price":1},{"price":2},{"price":"3"}]})"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_TRUE(r.out.empty()) << r.out;
  auto e = error_of(r);
  EXPECT_EQ(e.at("code"), "invalid_input");
  EXPECT_EQ(e.at("nodeId"), "in");
  EXPECT_EQ(e.at("error"), "source 'in': input.items[2].price: expected number, got string");
  EXPECT_FALSE(std::filesystem::exists(t.data)) << "nothing written";
}

TEST(input_schema, no_input_is_an_empty_object_and_is_checked_too) {
  run_in_temp t(typed);
  auto r = t.run({});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(error_of(r).at("error"), "source 'in': input: missing required property 'items'");
  EXPECT_FALSE(std::filesystem::exists(t.data));
}

TEST(input_schema, an_input_file_is_checked) {
  run_in_temp t(typed);
  write_file(t.dir.path + "/input.json", R"({"items":[{"price":-1}]})");
  auto r = t.run({"--input-file", t.dir.path + "/input.json"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(error_of(r).at("error"),
            "source 'in': input.items[0].price: expected number greater than or equal to 0, got -1");
}

TEST(input_schema, an_accepted_input_runs) {
  run_in_temp t(typed);
  auto r = t.run({"--input", R"({"items":[{"price":1},{"price":2.5}]})"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  auto lines = parse_lines(r.out);
  ASSERT_FALSE(lines.empty());
  EXPECT_EQ(type_of(lines.back()), "execution_complete");
  EXPECT_EQ(lines.back().event.at("output"), 3.5);
}

TEST(input_schema, a_schema_that_does_not_compile_is_an_invalid_flow) {
  run_in_temp t(R"({"nodes":[{"id":"in","type":"source","data":{"inputSchema":{"type":"objekt"}}},
    {"id":"out","type":"sink"}],"edges":[{"source":"in","target":"out"}]})");
  auto r = t.run({"--input", "{}"});
  EXPECT_EQ(r.exit_code, 2);
  auto e = error_of(r);
  EXPECT_EQ(e.at("code"), "invalid_flow");
  const auto& errors = e.at("errors").as_array();
  ASSERT_EQ(errors.size(), 1u) << e;
  EXPECT_EQ(errors[0].at("nodeId"), "in");
  EXPECT_NE(std::string(errors[0].at("message").as_string()).find("inputSchema"),
            std::string::npos);
  EXPECT_FALSE(std::filesystem::exists(t.data));
}

} // namespace
} // namespace baley::testing
