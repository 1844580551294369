// Triggers and their JSON form; see trigger.hpp.
#include "runtime/execution/trigger.hpp"

#include "runtime/enum_names.hpp"
#include "runtime/time_format.hpp"


namespace baley::runtime {
namespace json = boost::json;
namespace {

constexpr enum_names<trigger_kind, 6> kinds{{{
  {trigger_kind::api, "api"},
  {trigger_kind::webhook, "webhook"},
  {trigger_kind::schedule, "schedule"},
  {trigger_kind::rerun, "rerun"},
  {trigger_kind::test, "test"},
  {trigger_kind::cli, "cli"},
}}};

std::string text_at(const json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  return v && v->is_string() ? std::string(v->get_string()) : std::string();
}

} // namespace

std::string_view trigger_kind_name(trigger_kind kind) {
  return kinds.name(kind);
}

std::optional<trigger_kind> trigger_kind_from_name(std::string_view name) {
  return kinds.parse(name);
}

json::object trigger_json(const trigger& t) {
  json::object o{{"type", trigger_kind_name(t.kind)}};
  if (!t.token_id.empty())
    o["tokenId"] = t.token_id;
  if (!t.webhook_call_id.empty())
    o["webhookCallId"] = t.webhook_call_id;
  if (!t.parent_execution_id.empty())
    o["parentExecutionId"] = t.parent_execution_id;
  if (t.scheduled_for)
    o["scheduledFor"] = format_rfc3339_ms(*t.scheduled_for);
  return o;
}

result<trigger> parse_trigger(const json::value* stored, std::string_view triggered_by) {
  if (stored == nullptr || stored->is_null()) {
    auto kind = trigger_kind_from_name(triggered_by);
    return trigger{.kind = kind.value_or(trigger_kind::api)};
  }
  const auto* o = stored->if_object();
  auto kind = o ? trigger_kind_from_name(text_at(*o, "type")) : std::nullopt;
  if (!kind)
    return error{"invalid_event", "trigger needs a known type", {}};
  trigger t{.kind = *kind,
            .token_id = text_at(*o, "tokenId"),
            .webhook_call_id = text_at(*o, "webhookCallId"),
            .parent_execution_id = text_at(*o, "parentExecutionId")};
  if (auto at = text_at(*o, "scheduledFor"); !at.empty()) {
    auto parsed = parse_rfc3339_ms(at);
    if (!parsed)
      return parsed.error();
    t.scheduled_for = *parsed;
  }
  return t;
}

} // namespace baley::runtime
