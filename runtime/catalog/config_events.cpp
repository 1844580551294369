// JSON form of the config events: "type" first, "ts" second, then the fields
// in camelCase, as runtime/events.cpp writes execution events.
#include "runtime/json_text.hpp"

#include "runtime/overloaded.hpp"
#include "runtime/catalog/config_events.hpp"

#include "runtime/enum_names.hpp"

#include "runtime/json_fields.hpp"
#include "runtime/stream_names.hpp"
#include "runtime/time_format.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <optional>

namespace baley::runtime {

namespace {

constexpr enum_names<token_role, 3> roles{{{
  {token_role::member, "member"},
  {token_role::admin, "admin"},
  {token_role::session, "session"},
}}};

} // namespace

std::string_view token_role_name(token_role role) {
  return roles.name(role);
}

std::optional<token_role> token_role_from_name(std::string_view name) {
  return roles.parse(name);
}
namespace json = boost::json;
namespace {


// An empty workspace id is not written: flows saved by `baley run` have none.
void put_workspace(json::object& o, const std::string& workspace_id) {
  if (!workspace_id.empty())
    o["workspaceId"] = workspace_id;
}

void fill(json::object& o, const workspace_created& e) {
  o["workspaceId"] = e.workspace_id;
  o["name"] = e.name;
}
void fill(json::object& o, const token_created& e) {
  o["tokenId"] = e.token_id;
  o["workspaceId"] = e.workspace_id;
  o["name"] = e.name;
  o["tokenHash"] = e.token_hash;
  o["role"] = token_role_name(e.role);
}
void fill(json::object& o, const token_revoked& e) {
  o["tokenId"] = e.token_id;
}
void fill(json::object& o, const flow_saved& e) {
  o["flowId"] = e.flow_id;
  put_workspace(o, e.workspace_id);
  o["version"] = e.version;
  o["flow"] = e.flow;
}
void fill(json::object& o, const flow_deleted& e) {
  o["flowId"] = e.flow_id;
}
void fill(json::object& o, const block_saved& e) {
  o["blockId"] = e.block_id;
  put_workspace(o, e.workspace_id);
  o["version"] = e.version;
  o["block"] = e.block;
}
void fill(json::object& o, const block_deleted& e) {
  o["blockId"] = e.block_id;
}
// "type" is the event's own type, so the provider kind is "connectionType".
void fill(json::object& o, const connection_saved& e) {
  o["connectionId"] = e.connection_id;
  put_workspace(o, e.workspace_id);
  o["version"] = e.version;
  o["name"] = e.name;
  o["connectionType"] = e.type;
  o["baseUrl"] = e.base_url;
  o["apiKeySealed"] = e.api_key_sealed;
}
void fill(json::object& o, const connection_deleted& e) {
  o["connectionId"] = e.connection_id;
}
void fill(json::object& o, const webhook_saved& e) {
  o["flowId"] = e.flow_id;
  put_workspace(o, e.workspace_id);
  o["secretSealed"] = e.secret_sealed;
  o["enabled"] = e.enabled;
  o["ratePerSecond"] = e.rate_per_second;
  o["burst"] = e.burst;
}
void fill(json::object& o, const webhook_deleted& e) {
  o["flowId"] = e.flow_id;
}
void fill(json::object& o, const feedback_category_added& e) {
  o["workspaceId"] = e.workspace_id;
  o["name"] = e.name;
  o["description"] = e.description;
}
void fill(json::object& o, const feedback_category_removed& e) {
  o["workspaceId"] = e.workspace_id;
  o["name"] = e.name;
}

void fill(json::object& o, const pattern_saved& e) {
  o["patternId"] = e.pattern_id;
  o["workspaceId"] = e.workspace_id;
  o["version"] = e.version;
  o["pattern"] = e.pattern;
}
void fill(json::object& o, const pattern_deleted& e) {
  o["patternId"] = e.pattern_id;
}

std::uint64_t version_of(json_fields& r) {
  return static_cast<std::uint64_t>(r.integer("version", 1));
}

// The payload of `type`, or nullopt when the type is not a config event.
std::optional<config_event_payload> payload_from(const std::string& type,
                                                 json_fields& r) {
  if (type == names::workspace_created)
    return workspace_created{r.str("workspaceId"), r.str("name")};
  if (type == names::token_created) {
    auto role = token_role_from_name(r.str("role"));
    if (!role)
      r.wrong("role", "admin, member or session");
    return token_created{r.str("tokenId"), r.str("workspaceId"), r.str("name"),
                         r.str("tokenHash"), role.value_or(token_role::member)};
  }
  if (type == names::token_revoked)
    return token_revoked{r.str("tokenId")};
  if (type == names::flow_saved)
    return flow_saved{r.str("flowId"), r.str("workspaceId"), version_of(r), r.val("flow")};
  if (type == names::flow_deleted)
    return flow_deleted{r.str("flowId")};
  if (type == names::block_saved)
    return block_saved{r.str("blockId"), r.str("workspaceId"), version_of(r),
                       r.val("block")};
  if (type == names::block_deleted)
    return block_deleted{r.str("blockId")};
  if (type == names::connection_saved)
    return connection_saved{r.str("connectionId"), r.str("workspaceId"), version_of(r),
                            r.str("name"), r.str("connectionType"), r.str("baseUrl"),
                            r.str("apiKeySealed")};
  if (type == names::connection_deleted)
    return connection_deleted{r.str("connectionId")};
  if (type == names::webhook_saved)
    return webhook_saved{r.str("flowId"), r.str("workspaceId"), r.str("secretSealed"),
                         r.boolean("enabled", true), r.number("ratePerSecond", 10),
                         r.number("burst", 20)};
  if (type == names::webhook_deleted)
    return webhook_deleted{r.str("flowId")};
  if (type == names::feedback_category_added)
    return feedback_category_added{r.str("workspaceId"), r.str("name"), r.str("description")};
  if (type == names::feedback_category_removed)
    return feedback_category_removed{r.str("workspaceId"), r.str("name")};
  if (type == names::pattern_saved)
    return pattern_saved{r.str("patternId"), r.str("workspaceId"), version_of(r),
                         r.val("pattern")};
  if (type == names::pattern_deleted)
    return pattern_deleted{r.str("patternId")};
  return std::nullopt;
}

// The id every config event is about; an event without it is refused.
std::string_view id_key(const config_event_payload& payload) {
  return std::visit(
    overloaded{
      [](const workspace_created&) { return "workspaceId"; },
      [](const token_created&) { return "tokenId"; },
      [](const token_revoked&) { return "tokenId"; },
      [](const flow_saved&) { return "flowId"; },
      [](const flow_deleted&) { return "flowId"; },
      [](const block_saved&) { return "blockId"; },
      [](const block_deleted&) { return "blockId"; },
      [](const connection_saved&) { return "connectionId"; },
      [](const connection_deleted&) { return "connectionId"; },
      [](const webhook_saved&) { return "flowId"; },
      [](const webhook_deleted&) { return "flowId"; },
      [](const feedback_category_added&) { return "name"; },
      [](const feedback_category_removed&) { return "name"; },
      [](const pattern_saved&) { return "patternId"; },
      [](const pattern_deleted&) { return "patternId"; },
    },
    payload);
}

} // namespace

std::string_view type_name(const config_event_payload& payload) {
  return std::visit(
    overloaded{
      [](const workspace_created&) { return names::workspace_created; },
      [](const token_created&) { return names::token_created; },
      [](const token_revoked&) { return names::token_revoked; },
      [](const flow_saved&) { return names::flow_saved; },
      [](const flow_deleted&) { return names::flow_deleted; },
      [](const block_saved&) { return names::block_saved; },
      [](const block_deleted&) { return names::block_deleted; },
      [](const connection_saved&) { return names::connection_saved; },
      [](const connection_deleted&) { return names::connection_deleted; },
      [](const webhook_saved&) { return names::webhook_saved; },
      [](const webhook_deleted&) { return names::webhook_deleted; },
      [](const feedback_category_added&) { return names::feedback_category_added; },
      [](const feedback_category_removed&) { return names::feedback_category_removed; },
      [](const pattern_saved&) { return names::pattern_saved; },
      [](const pattern_deleted&) { return names::pattern_deleted; },
    },
    payload);
}

std::string serialize_config_event(const config_event& event) {
  json::object o;
  o["type"] = type_name(event.payload);
  o["ts"] = format_rfc3339_ms(event.ts);
  std::visit([&o](const auto& e) { fill(o, e); }, event.payload);
  return json::serialize(o);
}

result<config_event> parse_config_event(std::string_view json_text) {
  boost::system::error_code ec;
  auto value = parse_stored_json(json_text, ec);
  if (ec || !value.is_object())
    return error{"invalid_event", "config event is not a JSON object", {}};
  const auto& o = value.get_object();
  json_fields r{o, {}};
  auto type = r.str("type");
  auto payload = payload_from(type, r);
  if (!payload)
    return error{"invalid_event", "unknown config event type '" + type + "'", {}};
  if (!r.problem.empty())
    return error{"invalid_event", type + ": " + r.problem, {}};
  auto key = id_key(*payload);
  if (r.str(key).empty())
    return error{"invalid_event", type + ": " + std::string(key) + " is missing", {}};
  auto ts = parse_rfc3339_ms(r.str("ts"));
  if (!ts)
    return error{"invalid_event", type + ": " + ts.error().message, {}};
  return config_event{*ts, std::move(*payload)};
}

} // namespace baley::runtime
