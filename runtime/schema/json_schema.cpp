// JSON Schema through valijson; see json_schema.hpp.
//
// Where valijson's defaults would let an input crash or stall the process:
// - libstdc++'s default std::regex matcher recurses once per character and
//   overflows an 8 MiB stack on a ~20 KB string. Every "pattern" is compiled
//   here once with the non-recursive (__polynomial) matcher and handed to
//   valijson as its regex cache. "patternProperties" and "format" build their
//   own std::regex inside valijson, so "format" is not given to valijson (draft
//   7 lets a validator treat it as an annotation) and property names checked
//   against patternProperties are limited to max_regex_key characters.
// - "uniqueItems" compares every pair and reports every equal pair: arrays under
//   it are limited to max_unique_items, and failures are described in detail
//   only while the pairs stay few (max_unique_items_detailed).
#include "runtime/schema/json_schema.hpp"

#include "runtime/schema/schema_failures.hpp"
#include "runtime/schema/schema_paths.hpp"

// Without this valijson prints and calls abort() on a schema it cannot parse.
// This is the one file that includes valijson, so the setting is uniform.
#define VALIJSON_USE_EXCEPTIONS 1
#include <valijson/adapters/boost_json_adapter.hpp>
#include <valijson/schema.hpp>
#include <valijson/schema_parser.hpp>
#include <valijson/validation_results.hpp>
#include <valijson/validation_visitor.hpp>

#include <boost/json.hpp>

#include <exception>
#include <regex>
#include <unordered_map>

namespace baley::runtime {
namespace json = boost::json;

namespace {
constexpr std::size_t max_regex_key = 1024;
constexpr std::size_t max_unique_items = 5'000;
constexpr std::size_t max_unique_items_detailed = 256;
using regex_cache = std::unordered_map<std::string, std::regex>;
} // namespace

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

result<std::regex> compile_regex(std::string_view pattern, std::regex::flag_type flags) {
  try {
    return std::regex(std::string(pattern), flags);
  } catch (const std::regex_error& e) {
    return error{"invalid_schema", "pattern " + json::serialize(json::string(pattern))
                                     + " is not a supported regular expression: " + e.what(), {}};
  }
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

struct json_schema::parsed {
  json::value document;  // what valijson parses: the schema without "format"
  valijson::Schema schema;
  regex_cache patterns;  // every "pattern", compiled non-recursive
  bool pattern_properties = false;
  bool unique_items = false;

  // Compiles every pattern, notes the costly keywords and removes "format"
  // (a string-valued "format" member outside data is always the keyword).
  status prepare(json::value& v) {
    if (v.is_array())
      for (auto& item : v.get_array())
        if (auto done = prepare(item); !done)
          return done;
    if (!v.is_object())
      return ok;
    auto& o = v.get_object();
    if (auto* format = o.if_contains("format"); format && format->is_string())
      o.erase("format");
    for (auto& [key, value] : o) {
      if (is_data_keyword(key))  // a "pattern" in data is no regex
        continue;
      if (key == "pattern" && value.is_string()) {
        auto re = compile_regex(value.get_string(),
                                std::regex::ECMAScript | std::regex_constants::__polynomial);
        if (!re)
          return std::move(re).error();
        patterns.emplace(value.get_string(), std::move(re).value());
      }
      if (key == "patternProperties" && value.is_object()) {
        pattern_properties = true;
        for (const auto& p : value.get_object())
          if (auto re = compile_regex(p.key(), std::regex::ECMAScript); !re)
            return std::move(re).error();
      }
      unique_items = unique_items || (key == "uniqueItems" && value == true);
      if (auto done = prepare(value); !done)
        return done;
    }
    return ok;
  }

  // The limits on input that keep valijson's costly keywords bounded;
  // `context` is the path to `v` as valijson spells it.
  status within_limits(const json::value& instance, const json::value& v,
                       std::vector<std::string>& context, std::string_view root) const {
    auto refuse = [&](std::string why) {
      return error{"invalid_input", instance_path(root, instance, context) + ": " + why, {}};
    };
    if (v.is_array()) {
      const auto& a = v.get_array();
      if (unique_items && a.size() > max_unique_items)
        return refuse(std::to_string(a.size()) + " items are too many to check uniqueItems (limit "
                      + std::to_string(max_unique_items) + ")");
      for (std::size_t i = 0; i < a.size(); ++i) {
        context.push_back("[" + std::to_string(i) + "]");
        auto checked = within_limits(instance, a[i], context, root);
        context.pop_back();
        if (!checked)
          return checked;
      }
    } else if (v.is_object()) {
      for (const auto& [key, value] : v.get_object()) {
        if (pattern_properties && key.size() > max_regex_key)
          return refuse("a property name of " + std::to_string(key.size())
                        + " characters is too long to check against patternProperties (limit "
                        + std::to_string(max_regex_key) + ")");
        context.push_back("[" + std::string(key) + "]");
        auto checked = within_limits(instance, value, context, root);
        context.pop_back();
        if (!checked)
          return checked;
      }
    }
    return ok;
  }

  // Whether describing a failure stays cheap: uniqueItems reports every pair.
  bool detailed(const json::value& v) const {
    if (!unique_items)
      return true;
    if (v.is_array())
      return v.get_array().size() <= max_unique_items_detailed
             && std::all_of(v.get_array().begin(), v.get_array().end(),
                            [&](const auto& item) { return detailed(item); });
    if (v.is_object())
      return std::all_of(v.get_object().begin(), v.get_object().end(),
                         [&](const auto& m) { return detailed(m.value()); });
    return true;
  }

  // Validates with a copy of the compiled patterns (the visitor may add to
  // its cache); `results` null stops at the first failure.
  bool check(const json::value& instance, valijson::ValidationResults* results) const {
    regex_cache cache = patterns;
    valijson::adapters::BoostJsonAdapter adapter(instance);
    valijson::ValidationVisitor<valijson::adapters::BoostJsonAdapter> visitor(
      adapter, {"<root>"}, /*strictTypes=*/true, results, cache);
    return visitor.validateSchema(schema);
  }
};

json_schema::json_schema(json::value document, std::unique_ptr<parsed> schema)
  : document_(std::move(document)), parsed_(std::move(schema)) {}

json_schema::~json_schema() = default;

result<std::shared_ptr<const json_schema>> json_schema::compile(const json::value& schema) {
  if (!schema.is_object() && !schema.is_bool())
    return error{"invalid_schema", "a JSON Schema is an object or a boolean, not "
                                     + json::serialize(schema), {}};
  json::value document = schema;
  big_unsigned_to_double(document);
  auto p = std::make_unique<parsed>();
  p->document = document;
  if (auto prepared = p->prepare(p->document); !prepared)
    return prepared.error();
  if (auto acyclic = check_ref_cycles(p->document); !acyclic)
    return acyclic.error();
  try {
    valijson::SchemaParser parser(version_of(p->document));
    valijson::adapters::BoostJsonAdapter adapter(p->document);
    parser.populateSchema(adapter, p->schema);
  } catch (const std::exception& e) {
    return error{"invalid_schema", e.what(), {}};
  }
  return std::shared_ptr<const json_schema>(new json_schema(std::move(document), std::move(p)));
}

status json_schema::validate(const json::value& instance, std::string_view root) const {
  json::value normalized;
  const json::value* target = &instance;
  if (has_big_unsigned(instance)) {
    normalized = instance;
    big_unsigned_to_double(normalized);
    target = &normalized;
  }
  if (parsed_->unique_items || parsed_->pattern_properties) {
    std::vector<std::string> context{"<root>"};
    if (auto bounded = parsed_->within_limits(*target, *target, context, root); !bounded)
      return bounded;
  }
  valijson::ValidationResults results;
  try {
    if (parsed_->check(*target, nullptr))
      return ok;
    if (!parsed_->detailed(*target))
      return error{"invalid_input", std::string(root) + ": does not match the schema (not "
                                      "described further: an array under uniqueItems has over "
                                      + std::to_string(max_unique_items_detailed) + " items)", {}};
    parsed_->check(*target, &results);
  } catch (const std::exception& e) {
    return error{"invalid_input", std::string(root) + ": cannot be validated: " + e.what(), {}};
  }
  std::vector<schema_failure> failures;
  for (const auto& e : results)
    failures.push_back({e.context, e.description});
  return error{"invalid_input", describe_failures(document_, *target, failures, root), {}};
}

} // namespace baley::runtime
