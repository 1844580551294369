// The pattern matcher's events as JSON, and the row of one match.
#include "runtime/insight/pattern_events.hpp"

#include "runtime/json_fields.hpp"
#include "runtime/json_text.hpp"
#include "runtime/overloaded.hpp"
#include "runtime/stream_names.hpp"
#include "runtime/time_format.hpp"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

namespace baley::runtime {
namespace json = boost::json;

namespace {

json::object match_json(const pattern_match& m, bool with_pattern) {
  json::object o;
  if (with_pattern) {
    o["patternId"] = m.pattern_id;
    o["version"] = m.version;
  }
  o["decisionId"] = m.decision_id;
  o["agreed"] = m.agreed;
  o["createdAt"] = format_rfc3339_ms(m.created_at);
  return o;
}

json::array matches_json(const std::vector<pattern_match>& matches, bool with_pattern) {
  json::array out;
  out.reserve(matches.size());
  for (const auto& m : matches)
    out.push_back(match_json(m, with_pattern));
  return out;
}

// The matches of an event; a scan's name their pattern and version once,
// outside the list.
result<std::vector<pattern_match>> read_matches(const json::object& o,
                                                const pattern_scanned* scan) {
  auto invalid = [](std::string why) { return error{"invalid_event", std::move(why), {}}; };
  const auto* list = o.if_contains("matches");
  if (!list || !list->is_array())
    return invalid("matches is not an array");
  std::vector<pattern_match> out;
  out.reserve(list->get_array().size());
  for (const auto& item : list->get_array()) {
    if (!item.is_object())
      return invalid("a match is not an object");
    json_fields r{item.get_object()};
    pattern_match m;
    m.pattern_id = scan ? scan->pattern_id : r.str("patternId");
    m.version = scan ? scan->version : static_cast<std::uint64_t>(r.integer("version"));
    m.decision_id = r.str("decisionId");
    m.agreed = r.boolean("agreed");
    auto at = parse_rfc3339_ms(r.str("createdAt"));
    if (!r.problem.empty() || !at || m.decision_id.empty() || m.pattern_id.empty())
      return invalid("a match lacks patternId, decisionId or createdAt");
    m.created_at = *at;
    out.push_back(std::move(m));
  }
  return out;
}

} // namespace

std::string serialize_pattern_match_event(unix_ms ts, const pattern_match_event& event) {
  json::object o;
  std::visit(overloaded{
               [&](const decisions_matched& e) {
                 o["type"] = names::decisions_matched;
                 o["ts"] = format_rfc3339_ms(ts);
                 json::array ids;
                 for (const auto& id : e.decision_ids)
                   ids.push_back(json::string(id));
                 o["decisionIds"] = std::move(ids);
                 o["matches"] = matches_json(e.matches, true);
               },
               [&](const pattern_scanned& e) {
                 o["type"] = names::pattern_scanned;
                 o["ts"] = format_rfc3339_ms(ts);
                 o["patternId"] = e.pattern_id;
                 o["version"] = e.version;
                 o["decisions"] = e.decisions;
                 o["matches"] = matches_json(e.matches, false);
                 o["done"] = e.done;
                 if (!e.error.empty())
                   o["error"] = e.error;
               },
             },
             event);
  return json::serialize(o);
}

result<pattern_match_event> parse_pattern_match_event(std::string_view stored) {
  auto object = parse_stored_object(stored);
  if (!object)
    return error{"invalid_event", "pattern match event is not a JSON object", {}};
  json_fields r{*object};
  auto type = r.str("type");
  if (type == names::decisions_matched) {
    decisions_matched e;
    const auto* ids = object->if_contains("decisionIds");
    if (!ids || !ids->is_array())
      return error{"invalid_event", "decisionIds is not an array", {}};
    for (const auto& id : ids->get_array()) {
      if (!id.is_string())
        return error{"invalid_event", "a decision id is not a string", {}};
      e.decision_ids.emplace_back(id.get_string());
    }
    auto matches = read_matches(*object, nullptr);
    if (!matches)
      return std::move(matches).error();
    e.matches = std::move(*matches);
    return pattern_match_event(std::move(e));
  }
  if (type == names::pattern_scanned) {
    pattern_scanned e;
    e.pattern_id = r.str("patternId");
    e.version = static_cast<std::uint64_t>(r.integer("version"));
    e.decisions = static_cast<std::uint64_t>(r.integer("decisions"));
    e.done = r.boolean("done");
    e.error = r.str("error");
    if (!r.problem.empty() || e.pattern_id.empty())
      return error{"invalid_event", "pattern_scanned: " + r.problem, {}};
    auto matches = read_matches(*object, &e);
    if (!matches)
      return std::move(matches).error();
    e.matches = std::move(*matches);
    return pattern_match_event(std::move(e));
  }
  return error{"invalid_event", "unknown pattern match event type '" + type + "'", {}};
}

std::string serialize_match_row(const pattern_match& match) {
  return json::serialize(match_json(match, false));
}

result<pattern_match> parse_match_row(std::string_view stored) {
  auto object = parse_stored_object(stored);
  if (!object)
    return error{"invalid_match", "a match row is not a JSON object", {}};
  json_fields r{*object};
  pattern_match m;
  m.decision_id = r.str("decisionId");
  m.agreed = r.boolean("agreed");
  auto at = parse_rfc3339_ms(r.str("createdAt"));
  if (!r.problem.empty() || !at)
    return error{"invalid_match", "a match row lacks agreed or createdAt", {}};
  m.created_at = *at;
  return m;
}

} // namespace baley::runtime
