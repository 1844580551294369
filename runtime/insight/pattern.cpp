// Patterns: the body's fields, agreement and the stats.
#include "runtime/insight/pattern.hpp"

#include "runtime/json_fields.hpp"
#include "runtime/json_text.hpp"
#include "runtime/time_format.hpp"

#include <boost/json/serialize.hpp>

#include <algorithm>
#include <vector>

namespace baley::runtime {
namespace json = boost::json;

void pattern_stats::add(bool agreed_now, unix_ms at) {
  ++matched;
  ++(agreed_now ? agreed : disagreed);
  last_matched_at = last_matched_at ? std::max(*last_matched_at, at) : at;
}

result<pattern_fields> read_pattern_body(const json::value& body) {
  auto invalid = [](std::string why) { return error{"invalid_pattern", std::move(why), {}}; };
  const auto* o = body.if_object();
  if (!o)
    return invalid("the body must be a JSON object");
  auto text = [o](std::string_view key) -> const json::value* {
    const auto* v = o->if_contains(key);
    return v && !v->is_null() ? v : nullptr;
  };
  pattern_fields f;
  const auto* name = text("name");
  if (!name || !name->is_string() || name->get_string().empty() || name->get_string().size() > 200)
    return invalid("name must be a string of 1 to 200 characters");
  f.name = std::string(name->get_string());
  if (const auto* d = text("description")) {
    if (!d->is_string())
      return invalid("description must be a string");
    f.description = std::string(d->get_string());
  }
  const auto* block = text("blockId");
  if (!block || !block->is_string() || block->get_string().empty())
    return invalid("blockId must be the id of an ai-block");
  f.block_id = std::string(block->get_string());
  const auto* condition = text("condition");
  if (!condition || !condition->is_string() || condition->get_string().empty())
    return invalid("condition must be a jq program (a string) over the decision's input");
  f.condition = std::string(condition->get_string());
  if (const auto* outcome = o->if_contains("outcome"))
    f.outcome = *outcome;
  return f;
}

bool agrees(const json::value& outcome, const json::value& output) {
  return !outcome.is_null() && json_equal(outcome, output);
}

bool condition_holds(const std::vector<json::value>& outputs) {
  return !outputs.empty() && outputs.front().is_bool() && outputs.front().get_bool();
}

json::object pattern_stats_json(const pattern_stats& stats) {
  return {{"matched", stats.matched},
          {"agreed", stats.agreed},
          {"disagreed", stats.disagreed},
          {"lastMatchedAt", stats.last_matched_at
                              ? json::value(format_rfc3339_ms(*stats.last_matched_at))
                              : json::value()}};
}

json::object pattern_fields_json(const pattern_fields& fields) {
  return {{"name", fields.name},
          {"description", fields.description},
          {"blockId", fields.block_id},
          {"condition", fields.condition},
          {"outcome", fields.outcome}};
}

std::string match_program(std::string_view condition) {
  std::string program = "[.[] | [try (\n";
  program.append(condition);
  program.append("\n) catch false] | .[0] == true]");
  return program;
}

result<std::vector<bool>> read_match_results(const std::vector<json::value>& outputs,
                                             std::size_t count) {
  auto wrong = [] { return error{"jq_error", "the match program answered no array of booleans", {}}; };
  if (outputs.size() != 1 || !outputs.front().is_array())
    return wrong();
  const auto& array = outputs.front().get_array();
  if (array.size() != count)
    return wrong();
  std::vector<bool> out;
  out.reserve(count);
  for (const auto& v : array) {
    if (!v.is_bool())
      return wrong();
    out.push_back(v.get_bool());
  }
  return out;
}

std::string serialize_versioned_stats(const versioned_stats& row) {
  json::object o{{"version", row.version}};
  for (auto& [key, value] : pattern_stats_json(row.stats))
    o[key] = value;
  return json::serialize(o);
}

versioned_stats parse_versioned_stats(std::string_view stored) {
  auto object = parse_stored_object(stored);
  if (!object)
    return {};
  json_fields r{*object};
  versioned_stats row;
  row.version = static_cast<std::uint64_t>(r.integer("version"));
  row.stats.matched = static_cast<std::uint64_t>(r.integer("matched"));
  row.stats.agreed = static_cast<std::uint64_t>(r.integer("agreed"));
  row.stats.disagreed = static_cast<std::uint64_t>(r.integer("disagreed"));
  if (auto at = r.str("lastMatchedAt"); !at.empty())
    if (auto parsed = parse_rfc3339_ms(at))
      row.stats.last_matched_at = *parsed;
  if (!r.problem.empty())
    return {};
  return row;
}

} // namespace baley::runtime
