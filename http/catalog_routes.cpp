// Flows, blocks and connections (API.md, "Flows and blocks"): every change is
// a config event on the resource's stream; reads come from the catalog.
#include "http/api_state.hpp"

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

// Items of `records` (newest first by id) after the cursor, one page.
template <class Record, class ToJson>
void reply_page(const api_call_ptr& call, const std::vector<const Record*>& records,
                ToJson to_json) {
  auto page = page_of(call->request);
  if (!page)
    return reply_error(call, 400, page.error().code, page.error().message);
  json::array items;
  std::optional<std::string> next;
  for (const auto* r : records) {
    if (page->cursor && r->id >= *page->cursor)
      continue;
    if (items.size() == page->limit) {
      next = json::value_to<std::string>(items.back().at("id"));
      break;
    }
    items.push_back(to_json(*r));
  }
  reply_json(call, 200, page_body(std::move(items), next));
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

// Compiles on a reader (jq compiles cost milliseconds), then saves version
// `version` in the actor and answers with `status`.
void save_flow_version(api_actor self, const api_call_ptr& call, const std::string& ws,
                       std::string flow_id, std::uint64_t version, json::object flow,
                       int status) {
  if (!flow.contains("name") || !flow.at("name").is_string()
      || flow.at("name").get_string().empty()) {
    return reply_json(call, 400, runtime::invalid_flow_body({{"", "flow needs a name"}}));
  }
  auto* engine = self->state.engine;
  // Stored blocks at their latest versions, as an execution started now
  // would run them.
  const auto& catalog = self->state.catalog;
  auto resolved = runtime::resolve_blocks(
    flow, [&](const std::string& id) -> std::optional<runtime::stored_block> {
      const auto* block = catalog.block(ws, id);
      if (!block)
        return std::nullopt;
      return runtime::stored_block{block->version, block->block};
    });
  on_reader_then(self, [=, flow = std::move(flow),
                        resolved = std::move(resolved)]() mutable -> actor_continuation {
    // An ai-block may use the connections of its own workspace only.
    auto connection_in_workspace = [engine, ws](const std::string& id) {
      auto c = engine->connections().find(id);
      return c && c->workspace_id == ws;
    };
    auto compiled = runtime::compile_flow(resolved.flow, engine->programs(),
                                          connection_in_workspace);
    auto problems = std::move(resolved.problems);
    problems.insert(problems.end(), compiled.problems.begin(), compiled.problems.end());
    if (!problems.empty()) {
      reply_json(call, 400, runtime::invalid_flow_body(problems));
      return [](api_actor) {};
    }
    return [=, compiled = compiled.flow, versions = std::move(resolved.versions),
            flow = std::move(flow)](api_actor self) mutable {
      runtime::config_event event{actors::now_ms(),
                                  runtime::flow_saved{flow_id, ws, version, std::move(flow)}};
      save_config(self, names::flow_stream(flow_id), std::move(event),
                  [=](api_actor self, const error* failed) {
                    if (failed)
                      return reply_error(call, 503, failed->code, failed->message);
                    self->state.engine->remember_flow(flow_id, version, compiled, versions);
                    reply_json(call, status, flow_json(*self->state.catalog.flow(ws, flow_id)));
                  });
    };
  });
}

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

// {name, type, config} checked; a function-block's code compiled on a reader.
void save_block_version(api_actor self, const api_call_ptr& call, const std::string& ws,
                        std::string block_id, std::uint64_t version, int status) {
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
  auto* engine = self->state.engine;
  on_reader_then(self, [=, block = std::move(block)]() mutable -> actor_continuation {
    if (*type == "function-block") {
      const auto* code = block.at("config").get_object().if_contains("code");
      if (!code || !code->is_string()) {
        reply_error(call, 400, "invalid_block", "a function-block's config needs \"code\"");
        return [](api_actor) {};
      }
      auto compiled = engine->programs().get(code->get_string());
      if (!compiled) {
        reply_error(call, 400, "invalid_block", "config.code: " + compiled.error().message);
        return [](api_actor) {};
      }
    }
    return [=, block = std::move(block)](api_actor self) mutable {
      runtime::config_event event{actors::now_ms(),
                                  runtime::block_saved{block_id, ws, version, std::move(block)}};
      save_config(self, names::block_stream(block_id), std::move(event),
                  [=](api_actor self, const error* failed) {
                    if (failed)
                      return reply_error(call, 503, failed->code, failed->message);
                    reply_json(call, status, block_json(*self->state.catalog.block(ws, block_id)));
                  });
    };
  });
}

} // namespace

void flow_create(api_actor self, const api_call_ptr& call, const authenticated& who) {
  const auto* body = body_object(call);
  if (!body)
    return;
  save_flow_version(self, call, who.workspace_id, self->state.ids.next_id(), 1,
                    stored_flow(*body), 201);
}

void flow_list(api_actor self, const api_call_ptr& call, const authenticated& who) {
  reply_page(call, self->state.catalog.flows(who.workspace_id), flow_json);
}

void flow_get(api_actor self, const api_call_ptr& call, const authenticated& who) {
  const auto* flow = self->state.catalog.flow(who.workspace_id, call->param(0));
  if (!flow)
    return reply_not_found(call, "flow " + call->param(0));
  reply_json(call, 200, flow_json(*flow));
}

void flow_update(api_actor self, const api_call_ptr& call, const authenticated& who) {
  const auto* flow = self->state.catalog.flow(who.workspace_id, call->param(0));
  if (!flow)
    return reply_not_found(call, "flow " + call->param(0));
  const auto* body = body_object(call);
  if (!body)
    return;
  save_flow_version(self, call, who.workspace_id, flow->id, flow->version + 1,
                    stored_flow(*body), 200);
}

void flow_delete(api_actor self, const api_call_ptr& call, const authenticated& who) {
  const auto* flow = self->state.catalog.flow(who.workspace_id, call->param(0));
  if (!flow)
    return reply_not_found(call, "flow " + call->param(0));
  runtime::config_event event{actors::now_ms(), runtime::flow_deleted{flow->id}};
  save_config(self, names::flow_stream(flow->id), std::move(event), no_content_once_saved(call));
}

void block_create(api_actor self, const api_call_ptr& call, const authenticated& who) {
  save_block_version(self, call, who.workspace_id, self->state.ids.next_id(), 1, 201);
}

void block_list(api_actor self, const api_call_ptr& call, const authenticated& who) {
  reply_page(call, self->state.catalog.blocks(who.workspace_id), block_json);
}

void block_get(api_actor self, const api_call_ptr& call, const authenticated& who) {
  const auto* block = self->state.catalog.block(who.workspace_id, call->param(0));
  if (!block)
    return reply_not_found(call, "block " + call->param(0));
  reply_json(call, 200, block_json(*block));
}

void block_update(api_actor self, const api_call_ptr& call, const authenticated& who) {
  const auto* block = self->state.catalog.block(who.workspace_id, call->param(0));
  if (!block)
    return reply_not_found(call, "block " + call->param(0));
  save_block_version(self, call, who.workspace_id, block->id, block->version + 1, 200);
}

void block_delete(api_actor self, const api_call_ptr& call, const authenticated& who) {
  const auto* block = self->state.catalog.block(who.workspace_id, call->param(0));
  if (!block)
    return reply_not_found(call, "block " + call->param(0));
  runtime::config_event event{actors::now_ms(), runtime::block_deleted{block->id}};
  save_config(self, names::block_stream(block->id), std::move(event),
              no_content_once_saved(call));
}

void connection_create(api_actor self, const api_call_ptr& call, const authenticated& who) {
  const auto* body = body_object(call);
  if (!body)
    return;
  auto name = string_field(*body, "name");
  auto type = string_field(*body, "type");
  auto base_url = string_field(*body, "baseUrl").value_or("");
  auto api_key = string_field(*body, "apiKey").value_or("");
  static const std::vector<std::string> types = {"openai", "anthropic", "ollama", "simulated"};
  if (!name || name->empty() || !type || std::find(types.begin(), types.end(), *type) == types.end())
    return reply_error(call, 400, "invalid_connection",
                       "a connection needs \"name\" and \"type\": openai, anthropic, ollama "
                       "or simulated");
  if (*type != "simulated" && base_url.rfind("http://", 0) != 0
      && base_url.rfind("https://", 0) != 0)
    return reply_error(call, 400, "invalid_connection",
                       "baseUrl must be an http:// or https:// URL");
  std::string sealed;
  if (!api_key.empty()) {
    auto s = self->state.secrets->seal(api_key);
    if (!s)
      return reply_error(call, 500, "internal", "the API key could not be encrypted");
    sealed = *s;
  }
  auto id = self->state.ids.next_id();
  auto ws = who.workspace_id;
  runtime::config_event event{actors::now_ms(),
                              runtime::connection_saved{id, ws, 1, *name, *type, base_url,
                                                        std::move(sealed)}};
  actors::connection_info info{id, ws, *name, *type, base_url, std::move(api_key)};
  save_config(self, names::connection_stream(id), std::move(event),
              [call, id, ws, info = std::move(info)](api_actor self, const error* failed) mutable {
                if (failed)
                  return reply_error(call, 503, failed->code, failed->message);
                self->state.engine->connections().put(std::move(info));
                reply_json(call, 201, connection_json(*self->state.catalog.connection(ws, id)));
              });
}

void connection_list(api_actor self, const api_call_ptr& call, const authenticated& who) {
  reply_page(call, self->state.catalog.connections(who.workspace_id), connection_json);
}

void connection_get(api_actor self, const api_call_ptr& call, const authenticated& who) {
  const auto* c = self->state.catalog.connection(who.workspace_id, call->param(0));
  if (!c)
    return reply_not_found(call, "connection " + call->param(0));
  reply_json(call, 200, connection_json(*c));
}

void connection_delete(api_actor self, const api_call_ptr& call, const authenticated& who) {
  const auto* c = self->state.catalog.connection(who.workspace_id, call->param(0));
  if (!c)
    return reply_not_found(call, "connection " + call->param(0));
  runtime::config_event event{actors::now_ms(), runtime::connection_deleted{c->id}};
  save_config(self, names::connection_stream(c->id), std::move(event),
              [call, id = c->id](api_actor self, const error* failed) {
                if (failed)
                  return reply_error(call, 503, failed->code, failed->message);
                self->state.engine->connections().remove(id);
                reply_no_content(call);
              });
}

} // namespace baley::http
