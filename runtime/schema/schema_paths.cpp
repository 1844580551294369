// Subschemas, local "$ref"s and reference loops; see schema_paths.hpp.
#include "runtime/schema/schema_paths.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <regex>

#include <string>
#include <unordered_map>
#include <vector>

namespace baley::runtime {
namespace json = boost::json;
namespace {

int hex(char c) {
  if (c >= '0' && c <= '9')
    return c - '0';
  c = static_cast<char>(c | 0x20);
  return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

// A URI fragment as the JSON pointer it encodes ("%25" → "%").
std::string unescape(std::string_view fragment) {
  std::string out;
  for (std::size_t i = 0; i < fragment.size(); ++i) {
    if (fragment[i] == '%' && i + 2 < fragment.size() && hex(fragment[i + 1]) >= 0
        && hex(fragment[i + 2]) >= 0) {
      out += static_cast<char>(hex(fragment[i + 1]) * 16 + hex(fragment[i + 2]));
      i += 2;
    } else {
      out += fragment[i];
    }
  }
  return out;
}

const json::value* ref_target(const json::value& root, const json::value& s) {
  auto* ref = s.is_object() ? s.get_object().if_contains("$ref") : nullptr;
  if (!ref || !ref->is_string())
    return &s;
  std::string_view target = ref->get_string();
  if (target.empty() || target.front() != '#')
    return nullptr;
  auto pointer = unescape(target.substr(1));
  json::error_code ec;
  return pointer.empty() ? &root : root.find_pointer(pointer, ec);
}

// The schemas applied to the same instance as `s`.
std::vector<const json::value*> same_instance(const json::value& root, const json::value& s) {
  std::vector<const json::value*> out;
  if (!s.is_object())
    return out;
  const auto& o = s.get_object();
  if (auto* ref = o.if_contains("$ref"); ref && ref->is_string()) {
    if (auto* target = ref_target(root, s))
      out.push_back(target);
    return out;  // draft 7: the siblings of "$ref" are ignored
  }
  for (auto key : {"allOf", "anyOf", "oneOf"})
    if (auto* branches = o.if_contains(key); branches && branches->is_array())
      for (const auto& b : branches->get_array())
        out.push_back(&b);
  for (auto key : {"not", "if", "then", "else"})
    if (auto* sub = o.if_contains(key))
      out.push_back(sub);
  if (auto* dependencies = o.if_contains("dependencies"); dependencies && dependencies->is_object())
    for (const auto& d : dependencies->get_object())
      if (d.value().is_object())
        out.push_back(&d.value());
  return out;
}

enum class mark { visiting, done };

struct cycle_finder {
  const json::value& root;
  std::unordered_map<const json::value*, mark> marks;

  // True when a loop through same-instance edges starts at `s`.
  bool loops(const json::value* s) {
    auto [it, fresh] = marks.try_emplace(s, mark::visiting);
    if (!fresh)
      return it->second == mark::visiting;
    for (const auto* next : same_instance(root, *s))
      if (loops(next))
        return true;
    marks[s] = mark::done;
    return false;
  }

  // Every subschema of the document, wherever it sits.
  bool any_loops(const json::value& s) {
    if (!s.is_object())
      return false;
    if (loops(&s))
      return true;
    const auto& o = s.get_object();
    for (auto key : {"properties", "patternProperties", "definitions", "dependencies"})
      if (auto* map = o.if_contains(key); map && map->is_object())
        for (const auto& m : map->get_object())
          if (any_loops(m.value()))
            return true;
    for (auto key : {"items", "allOf", "anyOf", "oneOf"})
      if (auto* list = o.if_contains(key); list && list->is_array())
        for (const auto& item : list->get_array())
          if (any_loops(item))
            return true;
    for (auto key : {"items", "additionalItems", "additionalProperties", "contains",
                     "propertyNames", "not", "if", "then", "else"})
      if (auto* sub = o.if_contains(key); sub && any_loops(*sub))
        return true;
    return false;
  }
};

// A subschema with its local "$ref"s followed, when it is an object.
const json::value* resolve(const json::value& root, const json::value* s) {
  s = resolve_local_ref(root, s);
  return s && s->is_object() ? s : nullptr;
}

const json::value* member(const json::value* s, std::string_view key) {
  return s && s->is_object() ? s->get_object().if_contains(key) : nullptr;
}

using schemas = std::vector<const json::value*>;

// `s` and the subschemas that may apply at the same place through allOf,
// anyOf, oneOf, then, else and dependencies; bounded, as "$ref"s may loop.
void expand(const json::value& root, const json::value* s, schemas& out, int depth = 4) {
  s = resolve(root, s);
  if (!s || out.size() >= 64 || std::find(out.begin(), out.end(), s) != out.end())
    return;
  out.push_back(s);
  if (depth == 0)
    return;
  for (auto key : {"allOf", "anyOf", "oneOf"})
    if (auto* branches = member(s, key); branches && branches->is_array())
      for (const auto& b : branches->get_array())
        expand(root, &b, out, depth - 1);
  for (auto key : {"then", "else"})
    expand(root, member(s, key), out, depth - 1);
  if (auto* dependencies = member(s, "dependencies"); dependencies && dependencies->is_object())
    for (const auto& d : dependencies->get_object())
      expand(root, &d.value(), out, depth - 1);
}

bool pattern_matches(std::string_view pattern, std::string_view key) {
  try {
    // Non-recursive matcher, as for "pattern" (json_schema.cpp).
    std::regex re(std::string(pattern),
                  std::regex::ECMAScript | std::regex_constants::__polynomial);
    return std::regex_search(key.begin(), key.end(), re);
  } catch (const std::regex_error&) {
    return false;
  }
}

// The subschemas of `s` for one step: properties, patternProperties,
// additionalProperties, items, additionalItems.
void children(const json::value& root, const json::value* s, const instance_step& st,
              schemas& out) {
  if (st.index) {
    auto* items = member(s, "items");
    if (items && items->is_array())
      expand(root, *st.index < items->get_array().size() ? &items->get_array()[*st.index]
                                                         : member(s, "additionalItems"), out);
    else
      expand(root, items, out);
    return;
  }
  auto* props = member(s, "properties");
  if (auto* p = props && props->is_object() ? props->get_object().if_contains(st.key) : nullptr) {
    expand(root, p, out);
    return;
  }
  bool matched = false;
  if (auto* patterns = member(s, "patternProperties"); patterns && patterns->is_object())
    for (const auto& [pattern, sub] : patterns->get_object())
      if (pattern_matches(pattern, st.key)) {
        expand(root, &sub, out);
        matched = true;
      }
  if (!matched)
    expand(root, member(s, "additionalProperties"), out);
}

} // namespace

std::vector<const json::value*> subschemas_at(const json::value& root,
                                              const std::vector<instance_step>& steps) {
  schemas current;
  expand(root, &root, current);
  for (const auto& st : steps) {
    schemas next;
    for (const auto* s : current)
      children(root, s, st, next);
    current = std::move(next);
  }
  return current;
}

bool is_data_keyword(std::string_view key) {
  return key == "enum" || key == "const" || key == "default" || key == "examples";
}

const json::value* resolve_local_ref(const json::value& root, const json::value* s) {
  for (int hops = 0; s && hops < 32; ++hops) {
    auto* next = ref_target(root, *s);
    if (next == s)
      return s;
    s = next;
  }
  return nullptr;
}

status check_ref_cycles(const json::value& root) {
  if (cycle_finder{root, {}}.any_loops(root))
    return error{"invalid_schema", "the schema refers to itself without descending into the "
                                   "input (a \"$ref\" loop through $ref, allOf, anyOf, oneOf, "
                                   "not or if/then/else)", {}};
  return ok;
}

} // namespace baley::runtime
