// valijson's failures as one line; see schema_failures.hpp.
#include "runtime/schema/schema_failures.hpp"

#include "runtime/schema/schema_paths.hpp"

#include <boost/json/serialize.hpp>
#include <boost/json/string.hpp>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <optional>
#include <regex>
#include <unordered_set>

namespace baley::runtime {
namespace json = boost::json;
namespace {

using step = instance_step;
using schemas = std::vector<const json::value*>;

const json::value* member(const json::value* s, std::string_view key) {
  return s && s->is_object() ? s->get_object().if_contains(key) : nullptr;
}

// The steps of a valijson context and the instance value they reach (null
// once the path leaves the instance, as for a missing property).
struct located {
  std::vector<step> steps;
  const json::value* value = nullptr;
};

located locate(const json::value& instance, const std::vector<std::string>& context) {
  located out{{}, &instance};
  for (std::size_t i = 1; i < context.size(); ++i) {  // context[0] is "<root>"
    std::string_view c = context[i];
    if (c.size() >= 2 && c.front() == '[' && c.back() == ']')
      c = c.substr(1, c.size() - 2);
    const json::value* at = out.value;
    std::size_t index = 0;
    auto [end, ec] = std::from_chars(c.data(), c.data() + c.size(), index);
    if (at && at->is_array() && ec == std::errc() && end == c.data() + c.size()) {
      out.steps.push_back({{}, index});
      out.value = index < at->get_array().size() ? &at->get_array()[index] : nullptr;
    } else {
      out.steps.push_back({std::string(c), std::nullopt});
      out.value = at && at->is_object() ? at->get_object().if_contains(c) : nullptr;
    }
  }
  return out;
}

bool is_identifier(std::string_view key) {
  auto word = [](char c, bool first) {
    return std::isalpha(static_cast<unsigned char>(c)) || c == '_' || c == '$'
           || (!first && std::isdigit(static_cast<unsigned char>(c)));
  };
  for (std::size_t i = 0; i < key.size(); ++i)
    if (!word(key[i], i == 0))
      return false;
  return !key.empty();
}

// At most `n` bytes of `text`, cut between UTF-8 characters, "..." marking a cut.
std::string clip(std::string_view text, std::size_t n = 64) {
  if (text.size() <= n)
    return std::string(text);
  std::size_t end = n - 3;
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80)
    --end;
  return std::string(text.substr(0, end)) + "...";
}

std::string path_text(std::string_view root, const std::vector<step>& steps) {
  std::string out(root);
  for (const auto& s : steps) {
    if (s.index)
      out += "[" + std::to_string(*s.index) + "]";
    else if (is_identifier(s.key) && s.key.size() <= 64)
      out += "." + s.key;
    else
      out += "[" + json::serialize(json::string(clip(s.key))) + "]";
  }
  return out;
}

// The first value of `key` among the schemas.
const json::value* first_member(const schemas& at, std::string_view key) {
  for (const auto* s : at)
    if (auto* m = member(s, key))
      return m;
  return nullptr;
}

std::string type_of(const json::value& v) {
  switch (v.kind()) {
    case json::kind::null: return "null";
    case json::kind::bool_: return "boolean";
    case json::kind::object: return "object";
    case json::kind::array: return "array";
    case json::kind::string: return "string";
    default: return "number";
  }
}

bool accepts(std::string_view type, const json::value& v) {
  if (type == "integer")
    return v.is_int64() || v.is_uint64();
  return type == type_of(v);
}

void add_types(const json::value* s, std::vector<std::string>& out) {
  auto* type = member(s, "type");
  auto add = [&](const json::value& t) {
    if (t.is_string() && std::find(out.begin(), out.end(), t.get_string()) == out.end())
      out.emplace_back(t.get_string());
  };
  if (type && type->is_array())
    std::for_each(type->get_array().begin(), type->get_array().end(), add);
  else if (type)
    add(*type);
}

// The types the schemas at a place ask for; empty when they would not
// explain why `value` failed (one of them accepts it).
std::vector<std::string> expected_types(const schemas& at, const json::value& value) {
  std::vector<std::string> types;
  for (const auto* s : at)
    add_types(s, types);
  bool explains = std::none_of(types.begin(), types.end(),
                               [&](const auto& t) { return accepts(t, value); });
  return explains ? types : std::vector<std::string>{};
}

// JSON for a message: doubles as "1.5", not Boost's "1.5E0"; long text cut.
std::string short_json(const json::value& v) {
  if (v.is_double()) {
    char buffer[32];
    auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, v.get_double());
    return std::string(buffer, ec == std::errc() ? end : buffer);
  }
  if (v.is_string())
    return json::serialize(json::string(clip(v.get_string(), 80)));
  return clip(json::serialize(v), 80);
}

// valijson's "0.000000" as "0", "2.500000" as "2.5" (its sentences are short;
// std::regex recurses per character, so anything long is left as it is).
std::string tidy_numbers(std::string text) {
  if (text.size() > 512)
    return text;
  static const std::regex zeros(R"((\d)\.0+(?!\d))"), trailing(R"((\.\d*[1-9])0+(?!\d))");
  return std::regex_replace(std::regex_replace(text, zeros, "$1"), trailing, "$1");
}

// A sentence as a clause: "Missing required property 'a'." → "missing required property 'a'".
std::string clause(std::string_view sentence) {
  std::string text(sentence);
  if (!text.empty() && text.back() == '.')
    text.pop_back();
  if (text.size() > 1 && std::isupper(static_cast<unsigned char>(text[0]))
      && std::islower(static_cast<unsigned char>(text[1])))
    text[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(text[0])));
  return tidy_numbers(std::move(text));
}

bool starts_with(std::string_view text, std::string_view prefix) {
  return text.substr(0, prefix.size()) == prefix;
}

// The quoted name at the end of valijson's sentence: "...name 'bar'." → "'bar'".
std::string quoted_tail(std::string_view d) {
  auto close = d.rfind('\'');
  if (close == std::string_view::npos || close == 0)
    return "?";
  auto open = d.rfind('\'', close - 1);
  return open == std::string_view::npos ? "?"
                                        : "'" + clip(d.substr(open + 1, close - open - 1)) + "'";
}

// Failures that only say that something nested failed, with what to say when
// nothing more precise was reported (a `false` subschema reports nothing).
struct summary {
  std::string_view prefix;
  std::string_view alone;  // "" when built from the quoted name
};
constexpr summary summaries[] = {
  {"Failed to validate against schema associated with property name", ""},
  {"Failed to validate against schema associated with pattern", ""},
  {"Failed to validate item #", "an item does not match its schema"},
  {"Failed to validate against child schema #", "does not match every allOf schema"},
  {"Failed to validate against additional properties schema",
   "an additional property does not match its schema"},
  {"Failed to validate against a conditional schema", "does not match the then/else schema"},
  {"Failed to validate against dependent schema", "does not match a dependency's schema"},
};

const summary* summary_of(std::string_view d) {
  for (const auto& s : summaries)
    if (starts_with(d, s.prefix))
      return &s;
  return nullptr;
}

std::string summary_alone(const summary& s, std::string_view d) {
  if (!s.alone.empty())
    return std::string(s.alone);
  if (starts_with(d, "Failed to validate against schema associated with property name"))
    return "property " + quoted_tail(d) + " is not allowed";
  return "a property matching " + quoted_tail(d) + " is not allowed";
}

std::string type_reason(const schemas& at, const json::value* value) {
  if (!value)
    return "type not allowed";
  auto types = expected_types(at, *value);
  std::string list;
  for (const auto& t : types)
    list += (list.empty() ? "" : " or ") + t;
  return types.empty() ? type_of(*value) + " not allowed here"
                       : "expected " + list + ", got " + type_of(*value);
}

// One failure as a clause a person can act on.
std::string reason(const json::value& root, const located& at, std::string_view d) {
  if (auto* s = summary_of(d))
    return summary_alone(*s, d);
  auto here = subschemas_at(root, at.steps);
  std::string got = at.value ? ", got " + short_json(*at.value) : std::string();
  auto with = [&](std::string_view key, std::string_view lead, std::string_view otherwise) {
    auto* m = first_member(here, key);
    return (m ? std::string(lead) + short_json(*m) : std::string(otherwise)) + got;
  };
  if (starts_with(d, "Value type not permitted"))
    return type_reason(here, at.value);
  if (starts_with(d, "Failed to match against any enum values"))
    return with("enum", "expected one of ", "not an allowed value");
  if (starts_with(d, "Failed to match expected value set by 'const'"))
    return with("const", "expected ", "not the constant value");
  if (starts_with(d, "Failed to match regex specified by 'pattern'"))
    return with("pattern", "does not match pattern ", "does not match the pattern");
  if (starts_with(d, "Object contains a property that could not be validated"))
    return "property " + quoted_tail(d) + " is not allowed";
  if (starts_with(d, "Expected number") || starts_with(d, "Value should be a multiple"))
    return clause(d) + got;
  static const std::regex duplicate(R"(^Elements at indexes #(\d+) and #(\d+) violate.*)");
  if (starts_with(d, "Elements at indexes #") && d.size() < 512)
    return std::regex_replace(std::string(d), duplicate, "items [$1] and [$2] are equal");
  static const std::pair<std::string_view, std::string_view> rewrites[] = {
    {"Failed to validate against any schemas allowed by anyOf", "matches none of the anyOf schemas"},
    {"Failed to validate against any child schemas allowed by oneOf",
     "matches none of the oneOf schemas"},
    {"Failed to validate against exactly one child schema",
     "matches more than one of the oneOf schemas"},
    {"Target should not validate against schema specified in 'not'",
     "must not match the 'not' schema"},
    {"Failed to any values against subschema in 'contains'", "no item matches the 'contains' schema"},
    {"Cannot validate item #", "has more items than the schema allows"},
  };
  for (const auto& [prefix, text] : rewrites)
    if (starts_with(d, prefix))
      return std::string(text);
  return clause(d);
}

} // namespace

std::string instance_path(std::string_view root, const json::value& instance,
                          const std::vector<std::string>& context) {
  return path_text(root, locate(instance, context).steps);
}

std::string describe_failures(const json::value& schema, const json::value& instance,
                              const std::vector<schema_failure>& failures,
                              std::string_view root) {
  bool precise = std::any_of(failures.begin(), failures.end(),
                             [](const auto& f) { return !summary_of(f.description); });
  // Described until there are enough lines; the rest only counted, by
  // valijson's own words, as there may be very many.
  std::vector<std::string> lines;
  std::unordered_set<std::string> seen, rest;
  for (const auto& f : failures) {
    if (precise && summary_of(f.description))
      continue;
    if (lines.size() == max_reported_failures) {
      std::string key = f.description;
      for (const auto& c : f.context)
        key += "\n" + c;
      rest.insert(std::move(key));
      continue;
    }
    auto at = locate(instance, f.context);
    auto line = path_text(root, at.steps) + ": " + reason(schema, at, f.description);
    if (seen.insert(line).second)
      lines.push_back(std::move(line));
  }
  if (lines.empty())
    return std::string(root) + ": does not match the schema";
  std::string out;
  for (std::size_t i = 0; i < lines.size(); ++i)
    out += (i ? "; " : "") + lines[i];
  if (!rest.empty())
    out += " (and " + std::to_string(rest.size()) + " more)";
  return out;
}

} // namespace baley::runtime
