// valijson's failures as one line; see schema_failures.hpp.
#include "runtime/schema_failures.hpp"

#include <boost/json/serialize.hpp>
#include <boost/json/string.hpp>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <optional>
#include <regex>

namespace baley::runtime {
namespace json = boost::json;
namespace {

struct step {
  std::string key;
  std::optional<std::size_t> index;
};

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
  static const std::regex identifier("[A-Za-z_$][A-Za-z0-9_$]*");
  return std::regex_match(key.begin(), key.end(), identifier);
}

std::string path_text(std::string_view root, const std::vector<step>& steps) {
  std::string out(root);
  for (const auto& s : steps) {
    if (s.index)
      out += "[" + std::to_string(*s.index) + "]";
    else if (is_identifier(s.key))
      out += "." + s.key;
    else
      out += "[" + json::serialize(json::string(s.key)) + "]";
  }
  return out;
}

// Follows local "$ref"s ("#", "#/definitions/x"); null for any other.
const json::value* resolve(const json::value& root, const json::value* s) {
  for (int hops = 0; s && s->is_object() && hops < 32; ++hops) {
    auto* ref = s->get_object().if_contains("$ref");
    if (!ref || !ref->is_string())
      return s;
    std::string_view target = ref->get_string();
    if (target.empty() || target.front() != '#')
      return nullptr;
    target.remove_prefix(1);
    json::error_code ec;
    s = target.empty() ? &root : root.find_pointer(target, ec);
  }
  return s && s->is_object() ? s : nullptr;
}

const json::value* member(const json::value* s, std::string_view key) {
  return s && s->is_object() ? s->get_object().if_contains(key) : nullptr;
}

// The subschema that applies at `steps` through properties, additionalProperties
// and items; null where that takes more (patternProperties, combinators).
const json::value* schema_at(const json::value& root, const std::vector<step>& steps) {
  const json::value* s = resolve(root, &root);
  for (const auto& st : steps) {
    if (!s)
      return nullptr;
    if (!st.index) {
      auto* props = member(s, "properties");
      auto* prop = props && props->is_object() ? props->get_object().if_contains(st.key) : nullptr;
      s = prop ? prop : member(s, "additionalProperties");
    } else {
      auto* items = member(s, "items");
      if (items && items->is_array())
        s = *st.index < items->get_array().size() ? &items->get_array()[*st.index]
                                                  : member(s, "additionalItems");
      else
        s = items;
    }
    s = resolve(root, s);
  }
  return s;
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

// The types a schema asks for: its "type", else those of its allOf / anyOf /
// oneOf branches; empty when they would not explain why `value` failed.
std::vector<std::string> expected_types(const json::value& root, const json::value* s,
                                        const json::value& value) {
  auto explains = [&](const std::vector<std::string>& types) {
    return !types.empty() && std::none_of(types.begin(), types.end(), [&](const auto& t) {
      return accepts(t, value);
    });
  };
  std::vector<std::string> types;
  add_types(s, types);
  if (explains(types))
    return types;
  types.clear();
  for (auto key : {"allOf", "anyOf", "oneOf"})
    if (auto* branches = member(s, key); branches && branches->is_array())
      for (const auto& b : branches->get_array())
        add_types(resolve(root, &b), types);
  return explains(types) ? types : std::vector<std::string>{};
}

std::string short_json(const json::value& v) {
  auto text = json::serialize(v);
  return text.size() <= 80 ? text : text.substr(0, 77) + "...";
}

// valijson's "0.000000" as "0", "2.500000" as "2.5".
std::string tidy_numbers(std::string text) {
  static const std::regex zeros(R"((\d)\.0+(?!\d))"), trailing(R"((\.\d*[1-9])0+(?!\d))");
  return std::regex_replace(std::regex_replace(text, zeros, "$1"), trailing, "$1");
}

// A sentence as a clause: "Missing required property 'a'." → "missing required property 'a'".
std::string clause(std::string text) {
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

// Failures that only say a nested value failed, reported there already.
bool is_summary(std::string_view d) {
  for (auto prefix : {"Failed to validate against schema associated with property name",
                      "Failed to validate item #", "Failed to validate against child schema #",
                      "Failed to validate against additional properties schema",
                      "Failed to validate against schema associated with pattern",
                      "Failed to validate against a conditional schema",
                      "Failed to validate against dependent schema"})
    if (starts_with(d, prefix))
      return true;
  return false;
}

std::string reason(const json::value& root, const located& at, std::string_view d) {
  const json::value* s = schema_at(root, at.steps);
  std::string got = at.value ? ", got " + short_json(*at.value) : std::string();
  if (starts_with(d, "Value type not permitted")) {
    if (!at.value)
      return "type not allowed";
    auto types = expected_types(root, s, *at.value);
    std::string list;
    for (const auto& t : types)
      list += (list.empty() ? "" : " or ") + t;
    return types.empty() ? type_of(*at.value) + " not allowed here"
                         : "expected " + list + ", got " + type_of(*at.value);
  }
  if (starts_with(d, "Failed to match against any enum values")) {
    auto* e = member(s, "enum");
    return (e ? "expected one of " + short_json(*e) : std::string("not an allowed value")) + got;
  }
  if (starts_with(d, "Failed to match expected value set by 'const'")) {
    auto* c = member(s, "const");
    return (c ? "expected " + short_json(*c) : std::string("not the constant value")) + got;
  }
  if (starts_with(d, "Failed to match regex specified by 'pattern'")) {
    auto* p = member(s, "pattern");
    return (p ? "does not match pattern " + short_json(*p) : std::string("does not match the pattern"))
           + got;
  }
  if (starts_with(d, "Object contains a property that could not be validated")) {
    auto quote = d.find(": '");
    return quote == std::string_view::npos
             ? clause(std::string(d))
             : "property " + clause(std::string(d.substr(quote + 2))) + " is not allowed";
  }
  if (starts_with(d, "Failed to validate against any schemas allowed by anyOf"))
    return "matches none of the anyOf schemas";
  if (starts_with(d, "Failed to validate against any child schemas allowed by oneOf"))
    return "matches none of the oneOf schemas";
  if (starts_with(d, "Failed to validate against exactly one child schema"))
    return "matches more than one of the oneOf schemas";
  if (starts_with(d, "Target should not validate against schema specified in 'not'"))
    return "must not match the 'not' schema";
  if (starts_with(d, "Expected number") || starts_with(d, "Value should be a multiple"))
    return clause(std::string(d)) + got;
  return clause(std::string(d));
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
                             [](const auto& f) { return !is_summary(f.description); });
  std::vector<std::string> lines;
  for (const auto& f : failures) {
    if (precise && is_summary(f.description))
      continue;
    auto at = locate(instance, f.context);
    auto line = path_text(root, at.steps) + ": " + reason(schema, at, f.description);
    if (std::find(lines.begin(), lines.end(), line) == lines.end())
      lines.push_back(std::move(line));
  }
  if (lines.empty())
    return std::string(root) + ": does not match the schema";
  std::string out;
  for (std::size_t i = 0; i < lines.size() && i < max_reported_failures; ++i)
    out += (i ? "; " : "") + lines[i];
  if (lines.size() > max_reported_failures)
    out += " (and " + std::to_string(lines.size() - max_reported_failures) + " more)";
  return out;
}

} // namespace baley::runtime
