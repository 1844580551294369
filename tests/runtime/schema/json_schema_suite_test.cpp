// The official JSON Schema Test Suite (draft 7, Debian's json-schema-test-suite
// package) run against runtime/json_schema: every case of every keyword file
// we claim, valid or invalid as the suite says. Files and cases we do not
// claim are listed below with the reason, and every file in the directory
// must be in one list, so a newer suite cannot be skipped silently.
#include "runtime/schema/json_schema.hpp"

#include "runtime/json_text.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>

namespace baley::runtime {
namespace {

namespace json = boost::json;
namespace fs = std::filesystem;

const fs::path suite_dir = "/usr/share/json-schema-test-suite/tests/draft7";

const std::vector<std::string> claimed_files = {
  "additionalItems", "additionalProperties", "allOf", "anyOf", "boolean_schema",
  "const", "contains", "default", "dependencies", "enum",
  "exclusiveMaximum", "exclusiveMinimum", "if-then-else", "items", "maxItems",
  "maxLength", "maxProperties", "maximum", "minItems", "minLength",
  "minProperties", "minimum", "multipleOf", "not", "oneOf", "pattern",
  "patternProperties", "properties", "propertyNames", "ref", "required", "type",
  "uniqueItems",
};

const std::map<std::string, std::string> skipped_files = {
  {"refRemote", "remote $ref: json_schema fetches nothing, by design"},
  {"optional", "optional behaviour (formats, bignum, ECMAScript regex): not claimed"},
  {"definitions", "both cases $ref the draft-07 meta-schema by its remote URI"},
};

// "file / case description" whose schema is not claimed → why.
const std::map<std::string, std::string> skipped_cases = {
  {"ref / remote ref, containing refs itself",
   "$ref to the draft-07 meta-schema by its remote URI"},
  {"ref / Recursive references between schemas",
   "\"$ref\": \"node\" resolves against \"$id\": \"http://localhost:1234/tree\", "
   "which valijson treats as a remote document"},
};

json::value read_json(const fs::path& path) {
  std::ifstream in(path);
  std::ostringstream text;
  text << in.rdbuf();
  auto parsed = parse_json(text.str(), 1000);
  EXPECT_TRUE(parsed) << path << ": " << parsed.error().message;
  return parsed ? *parsed : json::value();
}

TEST(json_schema_suite, every_file_is_claimed_or_skipped_with_a_reason) {
  ASSERT_TRUE(fs::is_directory(suite_dir))
    << suite_dir << " is missing: `make deps` installs json-schema-test-suite";
  std::set<std::string> listed(claimed_files.begin(), claimed_files.end());
  for (const auto& [name, reason] : skipped_files)
    listed.insert(name);
  for (const auto& entry : fs::directory_iterator(suite_dir)) {
    auto name = entry.path().stem().string();
    EXPECT_TRUE(listed.count(name)) << name << " is neither claimed nor skipped";
  }
}

class json_schema_suite_file : public ::testing::TestWithParam<std::string> {};

TEST_P(json_schema_suite_file, cases_validate_as_the_suite_says) {
  auto file = GetParam();
  auto cases = read_json(suite_dir / (file + ".json"));
  ASSERT_TRUE(cases.is_array()) << file;
  int checked = 0;
  for (const auto& c : cases.as_array()) {
    std::string case_name = file + " / " + std::string(c.at("description").as_string());
    if (skipped_cases.count(case_name))
      continue;
    auto schema = json_schema::compile(c.at("schema"));
    if (!schema) {
      ADD_FAILURE() << case_name << ": schema does not compile: " << schema.error().message;
      continue;
    }
    for (const auto& t : c.at("tests").as_array()) {
      std::string test_name = case_name + " / " + std::string(t.at("description").as_string());
      auto verdict = (*schema)->validate(t.at("data"));
      EXPECT_EQ(verdict.has_value(), t.at("valid").as_bool())
        << test_name << "\n  data: " << json::serialize(t.at("data"))
        << (verdict ? std::string() : "\n  message: " + verdict.error().message);
      if (!verdict) {
        EXPECT_EQ(verdict.error().code, "invalid_input");
        EXPECT_EQ(verdict.error().message.rfind("input", 0), 0u) << verdict.error().message;
      }
      ++checked;
    }
  }
  EXPECT_GT(checked, 0) << file;
}

INSTANTIATE_TEST_SUITE_P(draft7, json_schema_suite_file, ::testing::ValuesIn(claimed_files),
                         [](const auto& info) {
                           std::string name = info.param;
                           std::replace(name.begin(), name.end(), '-', '_');
                           return name;
                         });

} // namespace
} // namespace baley::runtime
