// JSON Schema through valijson; see json_schema.hpp.
#include "runtime/json_schema.hpp"

#include "runtime/schema_failures.hpp"

// Without this valijson prints and calls abort() on a schema it cannot parse.
// This is the one file that includes valijson, so the setting is uniform.
#define VALIJSON_USE_EXCEPTIONS 1
#include <valijson/adapters/boost_json_adapter.hpp>
#include <valijson/schema.hpp>
#include <valijson/schema_parser.hpp>
#include <valijson/validation_results.hpp>
#include <valijson/validator.hpp>

#include <boost/json.hpp>

#include <exception>
#include <regex>

namespace baley::runtime {
namespace json = boost::json;

struct json_schema::parsed {
  valijson::Schema schema;
};

namespace {

// valijson's Boost.JSON adapter sees no number in a uint64 (an integer above
// INT64_MAX), so those are validated as the doubles they round to.
bool has_big_unsigned(const json::value& v) {
  if (v.is_uint64())
    return true;
  if (v.is_array())
    return std::any_of(v.get_array().begin(), v.get_array().end(), has_big_unsigned);
  if (v.is_object())
    return std::any_of(v.get_object().begin(), v.get_object().end(),
                       [](const auto& m) { return has_big_unsigned(m.value()); });
  return false;
}

void big_unsigned_to_double(json::value& v) {
  if (v.is_uint64())
    v = static_cast<double>(v.get_uint64());
  else if (v.is_array())
    for (auto& item : v.get_array())
      big_unsigned_to_double(item);
  else if (v.is_object())
    for (auto& m : v.get_object())
      big_unsigned_to_double(m.value());
}

// Members whose values are data, not schemas: a "pattern" in them is no regex.
bool holds_data(std::string_view key) {
  return key == "enum" || key == "const" || key == "default" || key == "examples";
}

status check_regex(std::string_view pattern) {
  try {
    std::regex compiled{std::string(pattern)};  // as valijson will build it
  } catch (const std::regex_error& e) {
    return error{"invalid_schema", "pattern " + json::serialize(json::string(pattern))
                                     + " is not a regular expression: " + e.what(), {}};
  }
  return ok;
}

// valijson compiles "pattern" and "patternProperties" only while validating;
// a bad one is found here instead, once.
status check_patterns(const json::value& v) {
  if (v.is_array()) {
    for (const auto& item : v.get_array())
      if (auto checked = check_patterns(item); !checked)
        return checked;
  }
  if (!v.is_object())
    return ok;
  for (const auto& [key, value] : v.get_object()) {
    if (holds_data(key))
      continue;
    status checked = ok;
    if (key == "pattern" && value.is_string())
      checked = check_regex(value.get_string());
    if (key == "patternProperties" && value.is_object())
      for (const auto& p : value.get_object())
        if (checked)
          checked = check_regex(p.key());
    if (checked)
      checked = check_patterns(value);
    if (!checked)
      return checked;
  }
  return ok;
}

valijson::SchemaParser::Version version_of(const json::value& schema) {
  auto* declared = schema.is_object() ? schema.get_object().if_contains("$schema") : nullptr;
  std::string_view uri;
  if (declared && declared->is_string())
    uri = declared->get_string();
  if (uri.find("draft-04") != std::string_view::npos)
    return valijson::SchemaParser::kDraft4;
  if (uri.find("draft-03") != std::string_view::npos)
    return valijson::SchemaParser::kDraft3;
  return valijson::SchemaParser::kDraft7;
}

} // namespace

json_schema::json_schema(json::value document, std::unique_ptr<parsed> schema)
  : document_(std::move(document)), parsed_(std::move(schema)) {}

json_schema::~json_schema() = default;

result<std::shared_ptr<const json_schema>> json_schema::compile(const json::value& schema) {
  if (!schema.is_object() && !schema.is_bool())
    return error{"invalid_schema", "a JSON Schema is an object or a boolean, not "
                                     + json::serialize(schema), {}};
  if (auto patterns = check_patterns(schema); !patterns)
    return patterns.error();
  // The document is stored first and parsed where it stays.
  std::shared_ptr<json_schema> compiled(new json_schema(schema, std::make_unique<parsed>()));
  big_unsigned_to_double(compiled->document_);
  try {
    valijson::SchemaParser parser(version_of(compiled->document_));
    valijson::adapters::BoostJsonAdapter adapter(compiled->document_);
    parser.populateSchema(adapter, compiled->parsed_->schema);
  } catch (const std::exception& e) {
    return error{"invalid_schema", e.what(), {}};
  }
  return std::shared_ptr<const json_schema>(std::move(compiled));
}

status json_schema::validate(const json::value& instance, std::string_view root) const {
  json::value normalized;
  const json::value* target = &instance;
  if (has_big_unsigned(instance)) {
    normalized = instance;
    big_unsigned_to_double(normalized);
    target = &normalized;
  }
  valijson::ValidationResults results;
  try {
    valijson::Validator validator;  // per call: it owns a regex cache
    valijson::adapters::BoostJsonAdapter adapter(*target);
    if (validator.validate(parsed_->schema, adapter, &results))
      return ok;
  } catch (const std::exception& e) {
    return error{"invalid_input", std::string(root) + ": cannot be validated: " + e.what(), {}};
  }
  std::vector<schema_failure> failures;
  for (const auto& e : results)
    failures.push_back({e.context, e.description});
  return error{"invalid_input", describe_failures(document_, *target, failures, root), {}};
}

} // namespace baley::runtime
