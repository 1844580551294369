// Flows, blocks and connections; see catalog_routes.hpp.
#include "http/catalog_routes.hpp"

#include "http/paging.hpp"
#include "http/replies.hpp"

#include "runtime/flow/block_resolution.hpp"
#include "runtime/stream_names.hpp"
#include "runtime/time_format.hpp"

#include <boost/json.hpp>

namespace baley::http {
namespace json = boost::json;

namespace {

const json::object* body_object(const api_call_ptr& call) {
  if (!call->body || !call->body->is_object()) {
    reply_error(call, 400, "invalid_request", "the body must be a JSON object");
    return nullptr;
  }
  return &call->body->get_object();
}

std::optional<std::string> string_field(const json::object& o, std::string_view key) {
  auto* v = o.if_contains(key);
  if (!v || !v->is_string())
    return std::nullopt;
  return std::string(v->get_string());
}

// ---- flows -------------------------------------------------------------------

json::object flow_json(const runtime::flow_record& f) {
  json::object out = f.flow.is_object() ? f.flow.get_object() : json::object{};
  out["id"] = f.id;
  out["version"] = f.version;
  if (!out.contains("enabled"))
    out["enabled"] = true;
  out["createdAt"] = format_rfc3339_ms(f.created_at);
  out["updatedAt"] = format_rfc3339_ms(f.updated_at);
  return out;
}

// The stored form of a flow body: its own fields, not server ones.
json::object stored_flow(json::object body) {
  for (auto key : {"id", "version", "createdAt", "updatedAt", "workspaceId"})
    body.erase(key);
  return body;
}

} // namespace

// Compiles on a reader (jq compiles cost milliseconds), then saves version
// `version` in the actor and answers with `status`.
void catalog_routes::save_flow_version(const api_call_ptr& call, const std::string& ws,
                                       std::string flow_id, std::uint64_t version,
                                       json::object flow, int status) {
  if (!flow.contains("name") || !flow.at("name").is_string()
      || flow.at("name").get_string().empty()) {
    return reply_json(call, 400, runtime::invalid_flow_body({{"", "flow needs a name"}}));
  }
  // Stored blocks at their latest versions, as an execution started now
  // would run them.
  const auto& catalog = p_.catalog.get();
  auto resolved = runtime::resolve_blocks(
    flow, [&](const std::string& id) -> std::optional<runtime::stored_block> {
      const auto* block = catalog.block(ws, id);
      if (!block)
        return std::nullopt;
      return runtime::stored_block{block->version, block->block};
    });
  struct checked {
    std::shared_ptr<const runtime::compiled_flow> flow;  // null: refused, answered
  };
  auto& engine = p_.engine;
  p_.async.on_reader_then<checked>(
    [&engine, call, ws, resolved]() -> checked {
      // An ai-block may use the connections of its own workspace only.
      auto connection_in_workspace = [&engine, ws](const std::string& id) {
        auto c = engine.connections().find(id);
        return c && c->workspace_id == ws;
      };
      auto compiled = runtime::compile_flow(resolved.flow, engine.programs(),
                                            connection_in_workspace);
      auto problems = resolved.problems;
      problems.insert(problems.end(), compiled.problems.begin(), compiled.problems.end());
      if (!problems.empty()) {
        reply_json(call, 400, runtime::invalid_flow_body(problems));
        return {};
      }
      return {compiled.flow};
    },
    [this, call, ws, flow_id, version, status, flow = std::move(flow),
     versions = resolved.versions](checked& compiled) mutable {
      if (!compiled.flow)
        return;
      p_.catalog.save(names::flow_stream(flow_id),
                      runtime::flow_saved{flow_id, ws, version, std::move(flow)},
                      [this, call, ws, flow_id, version, status, compiled = compiled.flow,
                       versions](const error* failed) {
                        if (failed)
                          return reply_error(call, *failed);
                        p_.engine.remember_flow(flow_id, version, compiled, versions);
                        reply_json(call, status, flow_json(*p_.catalog.get().flow(ws, flow_id)));
                      });
    });
}

void catalog_routes::save_deletion(const api_call_ptr& call, std::string stream,
                                   runtime::config_event_payload deleted,
                                   std::function<void()> after) {
  p_.catalog.save(std::move(stream), std::move(deleted),
                  [call, after = std::move(after)](const error* failed) {
                    if (failed)
                      return reply_error(call, *failed);
                    if (after)
                      after();
                    reply_no_content(call);
                  });
}

namespace {

// ---- blocks and connections --------------------------------------------------

json::object block_json(const runtime::block_record& b) {
  json::object out = b.block.is_object() ? b.block.get_object() : json::object{};
  out["id"] = b.id;
  out["version"] = b.version;
  out["createdAt"] = format_rfc3339_ms(b.created_at);
  out["updatedAt"] = format_rfc3339_ms(b.updated_at);
  return out;
}

json::object connection_json(const runtime::connection_record& c) {
  json::object out{{"id", c.id},           {"name", c.name},
                   {"type", c.type},       {"baseUrl", c.base_url},
                   {"hasApiKey", !c.api_key_sealed.empty()},
                   {"simulated", c.type == "simulated"},
                   {"createdAt", format_rfc3339_ms(c.created_at)}};
  return out;
}

} // namespace

// {name, type, config} checked; a function-block's code compiled on a reader.
void catalog_routes::save_block_version(const api_call_ptr& call, const std::string& ws,
                                        std::string block_id, std::uint64_t version,
                                        int status) {
  const auto* body = body_object(call);
  if (!body)
    return;
  auto name = string_field(*body, "name");
  auto type = string_field(*body, "type");
  const auto* config = body->if_contains("config");
  if (!name || name->empty() || !type || (*type != "ai-block" && *type != "function-block")
      || !config || !config->is_object())
    return reply_error(call, 400, "invalid_block",
                       "a block is {\"name\", \"type\": \"ai-block\"|\"function-block\", "
                       "\"config\": {...}}");
  json::object block{{"name", *name}, {"type", *type}, {"config", *config}};
  auto& engine = p_.engine;
  // The refusal, if any (answered there); else the block to save.
  p_.async.on_reader_then<std::optional<json::object>>(
    [&engine, call, block]() -> std::optional<json::object> {
      if (block.at("type") != "function-block")
        return block;
      const auto* code = block.at("config").get_object().if_contains("code");
      if (!code || !code->is_string()) {
        reply_error(call, 400, "invalid_block", "a function-block's config needs \"code\"");
        return std::nullopt;
      }
      if (auto compiled = engine.programs().get(code->get_string()); !compiled) {
        reply_error(call, 400, "invalid_block", "config.code: " + compiled.error().message);
        return std::nullopt;
      }
      return block;
    },
    [this, call, ws, block_id, version, status](std::optional<json::object>& checked) {
      if (!checked)
        return;
      p_.catalog.save(names::block_stream(block_id),
                      runtime::block_saved{block_id, ws, version, std::move(*checked)},
                      [this, call, ws, block_id, status](const error* failed) {
                        if (failed)
                          return reply_error(call, *failed);
                        reply_json(call, status,
                                   block_json(*p_.catalog.get().block(ws, block_id)));
                      });
    });
}

void catalog_routes::flow_create(const api_call_ptr& call, const authenticated& who) {
  const auto* body = body_object(call);
  if (!body)
    return;
  save_flow_version(call, who.workspace_id, p_.ids.next_id(), 1, stored_flow(*body), 201);
}

void catalog_routes::flow_list(const api_call_ptr& call, const authenticated& who) {
  reply_page(call, p_.catalog.get().flows(who.workspace_id), flow_json);
}

void catalog_routes::flow_get(const api_call_ptr& call, const authenticated& who) {
  const auto* flow = p_.catalog.get().flow(who.workspace_id, call->param(0));
  if (!flow)
    return reply_not_found(call, "flow " + call->param(0));
  reply_json(call, 200, flow_json(*flow));
}

void catalog_routes::flow_update(const api_call_ptr& call, const authenticated& who) {
  const auto* flow = p_.catalog.get().flow(who.workspace_id, call->param(0));
  if (!flow)
    return reply_not_found(call, "flow " + call->param(0));
  const auto* body = body_object(call);
  if (!body)
    return;
  save_flow_version(call, who.workspace_id, flow->id, flow->version + 1, stored_flow(*body), 200);
}

void catalog_routes::flow_delete(const api_call_ptr& call, const authenticated& who) {
  const auto* flow = p_.catalog.get().flow(who.workspace_id, call->param(0));
  if (!flow)
    return reply_not_found(call, "flow " + call->param(0));
  save_deletion(call, names::flow_stream(flow->id), runtime::flow_deleted{flow->id});
}

void catalog_routes::block_create(const api_call_ptr& call, const authenticated& who) {
  save_block_version(call, who.workspace_id, p_.ids.next_id(), 1, 201);
}

void catalog_routes::block_list(const api_call_ptr& call, const authenticated& who) {
  reply_page(call, p_.catalog.get().blocks(who.workspace_id), block_json);
}

void catalog_routes::block_get(const api_call_ptr& call, const authenticated& who) {
  const auto* block = p_.catalog.get().block(who.workspace_id, call->param(0));
  if (!block)
    return reply_not_found(call, "block " + call->param(0));
  reply_json(call, 200, block_json(*block));
}

void catalog_routes::block_update(const api_call_ptr& call, const authenticated& who) {
  const auto* block = p_.catalog.get().block(who.workspace_id, call->param(0));
  if (!block)
    return reply_not_found(call, "block " + call->param(0));
  save_block_version(call, who.workspace_id, block->id, block->version + 1, 200);
}

void catalog_routes::block_delete(const api_call_ptr& call, const authenticated& who) {
  const auto* block = p_.catalog.get().block(who.workspace_id, call->param(0));
  if (!block)
    return reply_not_found(call, "block " + call->param(0));
  save_deletion(call, names::block_stream(block->id), runtime::block_deleted{block->id});
}

void catalog_routes::connection_create(const api_call_ptr& call, const authenticated& who) {
  const auto* body = body_object(call);
  if (!body)
    return;
  auto name = string_field(*body, "name");
  auto type = string_field(*body, "type");
  auto base_url = string_field(*body, "baseUrl").value_or("");
  auto api_key = string_field(*body, "apiKey").value_or("");
  auto known = type ? runtime::provider_kind_from_name(*type) : std::nullopt;
  if (!name || name->empty() || !known)
    return reply_error(call, 400, "invalid_connection",
                       "a connection needs \"name\" and \"type\": openai, anthropic, ollama "
                       "or simulated");
  const runtime::provider_kind kind = known.value();
  if (kind != runtime::provider_kind::simulated && base_url.rfind("http://", 0) != 0
      && base_url.rfind("https://", 0) != 0)
    return reply_error(call, 400, "invalid_connection",
                       "baseUrl must be an http:// or https:// URL");
  std::string sealed;
  if (!api_key.empty()) {
    auto s = p_.secrets.seal(api_key);
    if (!s)
      return reply_error(call, 500, "internal", "the API key could not be encrypted");
    sealed = *s;
  }
  auto id = p_.ids.next_id();
  auto ws = who.workspace_id;
  actors::connection_info info{.id = id, .workspace_id = ws, .name = *name, .kind = kind,
                               .base_url = base_url, .api_key = std::move(api_key)};
  p_.catalog.save(names::connection_stream(id),
                  runtime::connection_saved{id, ws, 1, *name, *type, base_url, std::move(sealed)},
                  [this, call, id, ws, info = std::move(info)](const error* failed) mutable {
                    if (failed)
                      return reply_error(call, *failed);
                    p_.engine.connections().put(std::move(info));
                    reply_json(call, 201,
                               connection_json(*p_.catalog.get().connection(ws, id)));
                  });
}

void catalog_routes::connection_list(const api_call_ptr& call, const authenticated& who) {
  reply_page(call, p_.catalog.get().connections(who.workspace_id), connection_json);
}

void catalog_routes::connection_get(const api_call_ptr& call, const authenticated& who) {
  const auto* c = p_.catalog.get().connection(who.workspace_id, call->param(0));
  if (!c)
    return reply_not_found(call, "connection " + call->param(0));
  reply_json(call, 200, connection_json(*c));
}

void catalog_routes::connection_delete(const api_call_ptr& call, const authenticated& who) {
  const auto* c = p_.catalog.get().connection(who.workspace_id, call->param(0));
  if (!c)
    return reply_not_found(call, "connection " + call->param(0));
  save_deletion(call, names::connection_stream(c->id), runtime::connection_deleted{c->id},
                [this, id = c->id] { p_.engine.connections().remove(id); });
}

} // namespace baley::http
