// Node settings by kind; see node_settings.hpp.
#include "runtime/flow/node_settings.hpp"

#include "runtime/numbers.hpp"


namespace baley::runtime {
namespace json = boost::json;
namespace {

// 'text' for a string, its JSON otherwise.
std::string quoted(const json::value& v) {
  return v.is_string() ? "'" + std::string(v.get_string()) + "'" : json::serialize(v);
}

struct settings_reader {
  jq_cache& programs;
  std::vector<flow_problem>& problems;
  const connection_check& connection_exists;

  void problem(std::string node_id, std::string message) {
    problems.push_back({std::move(node_id), std::move(message)});
  }

  // A jq program from data[key]; `required` makes absence a problem.
  program_ptr program(const compiled_node& node, const json::object& data,
                      std::string_view key, bool required) {
    auto* v = data.if_contains(key);
    if (!v || v->is_null()) {
      if (required)
        problem(node.id, std::string(node_kind_name(node.kind())) + " needs data."
                           + std::string(key));
      return nullptr;
    }
    if (!v->is_string()) {
      problem(node.id, "data." + std::string(key) + " must be a jq program (a string)");
      return nullptr;
    }
    auto compiled = programs.get(v->get_string());
    if (!compiled) {
      problem(node.id, "data." + std::string(key) + ": " + compiled.error().message);
      return nullptr;
    }
    return *compiled;
  }

  // data[key] as a whole number in [min, max]; `where` prefixes the key in
  // the problem ("data.", "data.body.").
  std::optional<std::int64_t> integer(const compiled_node& node, const json::object& data,
                                      std::string_view where, std::string_view key,
                                      std::int64_t min, std::int64_t max,
                                      std::string_view unit = {}) {
    auto* v = data.if_contains(key);
    if (!v || v->is_null())
      return std::nullopt;
    auto n = json_integer(*v, min, max);
    if (!n)
      problem(node.id, std::string(where) + std::string(key) + " must be an integer from "
                         + std::to_string(min) + " to " + std::to_string(max)
                         + std::string(unit));
    return n;
  }

  // timeoutMs of `data`: the time budget of each jq evaluation.
  std::optional<std::int64_t> timeout(const compiled_node& node, const json::object& data,
                                      std::string_view where) {
    return integer(node, data, where, "timeoutMs", 1, max_jq_timeout_ms, " (milliseconds)");
  }

  void configure(compiled_node& node) {
    node.input_mapping = program(node, node.data, "inputMapping", false);
    if (auto* merge = node.data.if_contains("merge")) {
      if (*merge == "array")
        node.merge_array = true;
      else if (*merge != "object")
        problem(node.id, "data.merge must be \"array\" or \"object\"");
    }
    if (auto* retry = node.data.if_contains("retry")) {
      auto policy = parse_retry_policy(*retry);
      if (policy)
        node.retry = *policy;
      else
        problem(node.id, policy.error().message);
    }
    if (node.kind() != node_kind::ai_block)
      node.jq_timeout_ms = timeout(node, node.data, "data.");
    std::visit([&](auto& settings) { read(node, settings); }, node.settings);
  }

  void read(const compiled_node&, sink_settings&) {}
  void read(const compiled_node&, parallel_settings&) {}

  void read(const compiled_node& node, function_settings& settings) {
    if (node.data.contains("blockId") && !node.data.contains("code"))
      problem(node.id, "block " + quoted(node.data.at("blockId")) + " not found");
    else
      settings.code = program(node, node.data, "code", true);
  }

  void read(const compiled_node& node, delay_settings& settings) {
    if (auto ms = integer(node, node.data, "data.", "ms", 0, max_delay_ms))
      settings.delay_ms = *ms;
  }

  // An ai-block's settings from `data` (the node's, a loop body's, a
  // router's classifier), its tools' programs compiled; `where` prefixes
  // the problems.
  std::optional<ai_settings> read_ai(const compiled_node& node, const json::object& data,
                                     const std::string& where) {
    std::vector<std::string> messages;
    auto parsed = parse_ai_settings(data, messages);
    for (auto& m : messages)
      problem(node.id, where + m);
    auto* connection = data.if_contains("connectionId");
    bool known = connection && connection->is_string() && connection_exists
                 && connection_exists(std::string(connection->get_string()));
    if (connection && connection->is_string() && !connection->get_string().empty() && !known)
      problem(node.id, where + "connection '" + std::string(connection->get_string())
                         + "' not found");
    if (!parsed || !known)
      return std::nullopt;
    auto settings = std::move(parsed).value();
    for (auto& tool : settings.tools)
      if (tool.block_id) {
        auto compiled = programs.get(tool.code);
        if (!compiled)
          problem(node.id, where + "tool '" + tool.name + "': block '" + *tool.block_id
                             + "': " + compiled.error().message);
        else
          tool.program = *compiled;
      }
    return settings;
  }

  void read(const compiled_node& node, ai_settings& settings) {
    if (auto read = read_ai(node, node.data, ""))
      settings = std::move(*read);
  }

  void read(const compiled_node& node, source_settings& settings) {
    auto* schema = node.data.if_contains("inputSchema");
    if (!schema || schema->is_null())
      return;
    auto compiled = json_schema::compile(*schema);
    if (compiled)
      settings.input_schema = *compiled;
    else
      problem(node.id, "data.inputSchema is not a valid JSON Schema: " + compiled.error().message);
  }

  void read(const compiled_node& node, router_settings& settings) {
    auto* routes = node.data.if_contains("routes");
    if (routes && !routes->is_array()) {
      problem(node.id, "data.routes must be an array");
    } else if (routes) {
      for (const auto& r : routes->get_array()) {
        auto* name = r.is_object() ? r.get_object().if_contains("name") : nullptr;
        if (!name || !name->is_string() || name->get_string().empty()) {
          problem(node.id, "every route needs a name");
          continue;
        }
        // With a classifier the model names the route: `when` is not needed.
        bool classified = node.data.contains("classifier");
        settings.routes.push_back({std::string(name->get_string()),
                                   program(node, r.get_object(), "when", !classified)});
      }
    }
    if (auto* def = node.data.if_contains("default"); def && !def->is_null()) {
      if (def->is_string() && !def->get_string().empty())
        settings.default_route = std::string(def->get_string());
      else
        problem(node.id, "data.default must be a route name");
    }
    if (auto* classifier = node.data.if_contains("classifier"); classifier && !classifier->is_null()) {
      if (!classifier->is_object()) {
        problem(node.id, "data.classifier must be an ai-block (an object)");
      } else if (classifier->get_object().contains("blockId")
                 && !classifier->get_object().contains("model")) {
        problem(node.id, "block " + quoted(classifier->get_object().at("blockId")) + " not found");
      } else {
        auto* type = classifier->get_object().if_contains("type");
        if (type && *type != "ai-block")
          problem(node.id, "data.classifier must be an ai-block");
        else if (auto ai = read_ai(node, classifier->get_object(), "data.classifier: "))
          settings.classifier = std::make_shared<const ai_settings>(std::move(*ai));
      }
    }
    if (settings.routes.empty() && !settings.default_route && !node.data.contains("classifier"))
      problem(node.id, "router needs data.routes, data.default or data.classifier");
  }

  void read(const compiled_node& node, loop_settings& settings) {
    settings.over = program(node, node.data, "over", true);
    if (auto c = integer(node, node.data, "data.", "concurrency", 1, 1000))
      settings.concurrency = static_cast<std::uint32_t>(*c);
    if (auto m = integer(node, node.data, "data.", "maxIterations", 0, 1'000'000))
      settings.max_iterations = static_cast<std::uint32_t>(*m);
    auto* body = node.data.if_contains("body");
    if (!body || !body->is_object()) {
      problem(node.id, "loop needs data.body (an inline block)");
      return;
    }
    const auto& b = body->get_object();
    if (b.contains("blockId") && !b.contains("code")) {
      problem(node.id, "block " + quoted(b.at("blockId")) + " not found");
      return;
    }
    auto* type = b.if_contains("type");
    if (type && *type == "ai-block") {
      settings.body.kind = node_kind::ai_block;
      if (auto ai = read_ai(node, b, "data.body: "))
        settings.body.ai = std::make_shared<const ai_settings>(std::move(*ai));
    } else if (!type || *type != "function-block") {
      problem(node.id, "loop body must be a function-block or an ai-block");
      return;
    } else {
      settings.body.code = program(node, b, "code", true);
    }
    settings.body.timeout_ms = timeout(node, b, "data.body.");
    if (auto* retry = b.if_contains("retry")) {
      auto policy = parse_retry_policy(*retry);
      if (policy)
        settings.body.retry = *policy;
      else
        problem(node.id, "body." + policy.error().message);
    }
  }
};

} // namespace

void read_node_settings(compiled_node& node, jq_cache& programs,
                        std::vector<flow_problem>& problems,
                        const connection_check& connection_exists) {
  settings_reader{programs, problems, connection_exists}.configure(node);
}

} // namespace baley::runtime
