// Inlining stored blocks into flows; see block_resolution.hpp.
#include "runtime/flow/block_resolution.hpp"

#include <boost/json.hpp>

namespace baley::runtime {
namespace json = boost::json;

namespace {

std::optional<std::string> block_id_of(const json::object& o) {
  auto* id = o.if_contains("blockId");
  if (!id || !id->is_string())
    return std::nullopt;
  return std::string(id->get_string());
}

const json::object* config_of(const stored_block& b) {
  if (!b.block.is_object())
    return nullptr;
  auto* config = b.block.get_object().if_contains("config");
  return config && config->is_object() ? &config->get_object() : nullptr;
}

std::string type_of(const stored_block& b) {
  auto* type = b.block.is_object() ? b.block.get_object().if_contains("type") : nullptr;
  return type && type->is_string() ? std::string(type->get_string()) : std::string();
}

// An ai-block's tools with a blockId get that function-block's code and
// version (data.tools[i].code, .blockVersion).
void resolve_tools(json::object& data, const std::string& node_id, const block_lookup& lookup,
                   block_resolution& out) {
  auto* tools = data.if_contains("tools");
  if (!tools || !tools->is_array())
    return;
  for (auto& t : tools->get_array()) {
    if (!t.is_object())
      continue;
    auto& tool = t.get_object();
    auto id = block_id_of(tool);
    if (!id)
      continue;
    auto block = lookup(*id);
    const auto* config = block ? config_of(*block) : nullptr;
    if (!config)
      continue;
    if (type_of(*block) != "function-block") {
      out.problems.push_back({node_id, "tool block '" + *id + "' is a " + type_of(*block)
                                         + ", not a function-block"});
      continue;
    }
    if (const auto* code = config->if_contains("code"))
      tool["code"] = *code;
    tool["blockVersion"] = block->version;
    out.versions[*id] = block->version;
  }
}

std::vector<std::string> tool_block_ids(const json::object& data) {
  std::vector<std::string> ids;
  const auto* tools = data.if_contains("tools");
  if (!tools || !tools->is_array())
    return ids;
  for (const auto& t : tools->get_array())
    if (t.is_object())
      if (auto id = block_id_of(t.get_object()))
        ids.push_back(*id);
  return ids;
}

} // namespace

block_resolution resolve_blocks(const json::value& flow, const block_lookup& lookup) {
  block_resolution out{flow, {}, {}};
  if (!out.flow.is_object())
    return out;
  auto* nodes = out.flow.get_object().if_contains("nodes");
  if (!nodes || !nodes->is_array())
    return out;
  for (auto& n : nodes->get_array()) {
    if (!n.is_object())
      continue;
    auto& node = n.get_object();
    auto* data = node.if_contains("data");
    if (!data || !data->is_object())
      continue;
    auto& d = data->get_object();
    auto node_id = node.contains("id") && node.at("id").is_string()
                     ? std::string(node.at("id").get_string()) : std::string();
    if (auto id = block_id_of(d)) {
      auto block = lookup(*id);
      const auto* config = block ? config_of(*block) : nullptr;
      if (!config)
        continue;
      auto* type = node.if_contains("type");
      if (type && type->is_string() && type->get_string() != type_of(*block)) {
        out.problems.push_back({node_id, "block '" + *id + "' is a " + type_of(*block)
                                           + ", not a " + std::string(type->get_string())});
        continue;
      }
      json::object merged = *config;
      for (const auto& [key, value] : d)
        merged[key] = value;
      merged["blockVersion"] = block->version;
      d = std::move(merged);
      out.versions[*id] = block->version;
    }
    resolve_tools(d, node_id, lookup, out);
    // A loop's body and a router's classifier are inline blocks too.
    for (auto key : {"body", "classifier"}) {
      auto* inner = d.if_contains(key);
      if (!inner || !inner->is_object())
        continue;
      if (auto id = block_id_of(inner->get_object())) {
        auto block = lookup(*id);
        const auto* config = block ? config_of(*block) : nullptr;
        if (!config)
          continue;
        json::object inlined = *config;
        inlined["type"] = type_of(*block);
        inlined["blockId"] = *id;
        inlined["blockVersion"] = block->version;
        *inner = std::move(inlined);
        out.versions[*id] = block->version;
      }
      resolve_tools(inner->get_object(), node_id, lookup, out);
    }
  }
  return out;
}

std::vector<std::string> block_ids_in(const json::value& flow) {
  std::vector<std::string> ids;
  const auto* nodes = flow.is_object() ? flow.get_object().if_contains("nodes") : nullptr;
  if (!nodes || !nodes->is_array())
    return ids;
  for (const auto& n : nodes->get_array()) {
    const auto* data = n.is_object() ? n.get_object().if_contains("data") : nullptr;
    if (!data || !data->is_object())
      continue;
    if (auto id = block_id_of(data->get_object()))
      ids.push_back(*id);
    for (auto& id : tool_block_ids(data->get_object()))
      ids.push_back(std::move(id));
    for (auto key : {"body", "classifier"}) {
      const auto* inner = data->get_object().if_contains(key);
      if (!inner || !inner->is_object())
        continue;
      if (auto id = block_id_of(inner->get_object()))
        ids.push_back(*id);
      for (auto& id : tool_block_ids(inner->get_object()))
        ids.push_back(std::move(id));
    }
  }
  return ids;
}

std::optional<std::string> stored_block_of_node(const json::object& data) {
  if (auto id = block_id_of(data))
    return id;
  for (auto key : {"body", "classifier"})
    if (const auto* inner = data.if_contains(key); inner && inner->is_object())
      if (auto id = block_id_of(inner->get_object()))
        return id;
  return std::nullopt;
}

std::vector<std::string> tool_block_ids_of(const json::value& block) {
  const auto* b = block.if_object();
  const auto* config = b ? b->if_contains("config") : nullptr;
  if (!config || !config->is_object())
    return {};
  return tool_block_ids(config->get_object());
}

std::string compiled_flow_key(const std::string& flow_id, std::uint64_t version,
                              const std::map<std::string, std::uint64_t>& blocks) {
  auto key = flow_id + "@" + std::to_string(version);
  char separator = '#';
  for (const auto& [id, v] : blocks) {
    key += separator + id + "@" + std::to_string(v);
    separator = ',';
  }
  return key;
}

} // namespace baley::runtime
