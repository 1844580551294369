// ai-block settings and prompt rendering; see ai_settings.hpp.
#include "runtime/llm/ai_settings.hpp"

#include <cctype>

#include "runtime/numbers.hpp"

#include <boost/json/serialize.hpp>

namespace baley::runtime {
namespace json = boost::json;

std::vector<std::string> ai_settings::models() const {
  std::vector<std::string> all{model};
  all.insert(all.end(), fallback_models.begin(), fallback_models.end());
  return all;
}

namespace {

bool valid_tool_name(std::string_view name) {
  if (name.empty() || name.size() > 64)
    return false;
  for (char c : name)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '-')
      return false;
  return true;
}

// data.tools: [{"name","description","parameters","blockId"?}]; the problems
// name the tool.
void read_tools(const json::value& value, std::vector<ai_tool>& tools,
                std::vector<std::string>& problems) {
  if (!value.is_array()) {
    problems.push_back("data.tools must be an array of tools");
    return;
  }
  for (std::size_t i = 0; i < value.get_array().size(); ++i) {
    const auto& entry = value.get_array()[i];
    auto where = "data.tools[" + std::to_string(i) + "]";
    if (!entry.is_object()) {
      problems.push_back(where + " must be an object");
      continue;
    }
    const auto& o = entry.get_object();
    ai_tool tool;
    const auto* name = o.if_contains("name");
    if (!name || !name->is_string() || !valid_tool_name(name->get_string())) {
      problems.push_back(where + ".name must match ^[A-Za-z0-9_-]{1,64}$");
      continue;
    }
    tool.name = std::string(name->get_string());
    where = "tool '" + tool.name + "'";
    for (const auto& other : tools)
      if (other.name == tool.name)
        problems.push_back(where + " is defined twice");
    if (const auto* d = o.if_contains("description"); d && !d->is_null()) {
      if (!d->is_string())
        problems.push_back(where + ": description must be a string");
      else
        tool.description = std::string(d->get_string());
    }
    const auto* parameters = o.if_contains("parameters");
    if (!parameters || parameters->is_null()) {
      tool.parameters = json::object{{"type", "object"}, {"properties", json::object()}};
    } else if (!parameters->is_object()) {
      problems.push_back(where + ": parameters is not a JSON Schema (an object)");
      continue;
    } else {
      tool.parameters = *parameters;
    }
    auto schema = json_schema::compile(tool.parameters);
    if (!schema) {
      problems.push_back(where + ": parameters is not a JSON Schema: " + schema.error().message);
      continue;
    }
    tool.parameters_schema = *schema;
    if (const auto* b = o.if_contains("blockId"); b && !b->is_null()) {
      if (!b->is_string() || b->get_string().empty()) {
        problems.push_back(where + ": blockId must be a block id");
        continue;
      }
      tool.block_id = std::string(b->get_string());
      const auto* code = o.if_contains("code");
      if (!code || !code->is_string())
        problems.push_back(where + ": block '" + *tool.block_id + "' not found");
      else
        tool.code = std::string(code->get_string());
    }
    tools.push_back(std::move(tool));
  }
}

} // namespace

result<ai_settings> parse_ai_settings(const json::object& data,
                                      std::vector<std::string>& problems) {
  ai_settings s;
  auto before = problems.size();
  auto text = [&](std::string_view key, std::string& out, bool required) {
    auto* v = data.if_contains(key);
    if (!v || v->is_null()) {
      if (required)
        problems.push_back("ai-block needs data." + std::string(key));
      return;
    }
    if (!v->is_string() || (required && v->get_string().empty()))
      problems.push_back("data." + std::string(key)
                         + (required ? " must be a non-empty string" : " must be a string"));
    else
      out = std::string(v->get_string());
  };
  text("connectionId", s.connection_id, true);
  text("model", s.model, true);
  text("systemPrompt", s.system_prompt, false);
  text("goal", s.goal, false);
  if (auto* v = data.if_contains("temperature"); v && !v->is_null()) {
    if (!v->is_number() || v->to_number<double>() < 0 || v->to_number<double>() > 2)
      problems.push_back("data.temperature must be a number from 0 to 2");
    else
      s.temperature = v->to_number<double>();
  }
  if (auto* v = data.if_contains("maxTokens"); v && !v->is_null()) {
    if (auto n = json_integer(*v, 1, 1'000'000))
      s.max_tokens = *n;
    else
      problems.push_back("data.maxTokens must be an integer from 1 to 1000000");
  }
  if (auto* v = data.if_contains("timeoutMs"); v && !v->is_null()) {
    if (auto n = json_integer(*v, 100, 3'600'000))
      s.timeout_ms = *n;
    else
      problems.push_back("data.timeoutMs must be an integer from 100 to 3600000");
  }
  if (auto* v = data.if_contains("fallbackModels"); v && !v->is_null()) {
    bool ok = v->is_array();
    if (ok)
      for (const auto& m : v->get_array()) {
        if (!m.is_string() || m.get_string().empty()) {
          ok = false;
          break;
        }
        s.fallback_models.emplace_back(m.get_string());
      }
    if (!ok)
      problems.push_back("data.fallbackModels must be an array of model names");
  }
  if (auto* v = data.if_contains("breaker"); v && !v->is_null()) {
    auto breaker = parse_breaker_settings(*v);
    if (!breaker)
      problems.push_back("data.breaker: " + breaker.error().message);
    else
      s.breaker = *breaker;
  }
  if (auto* v = data.if_contains("outputSchema"); v && !v->is_null()) {
    auto schema = json_schema::compile(*v);
    if (!schema)
      problems.push_back("data.outputSchema is not a valid JSON Schema: " + schema.error().message);
    else {
      s.output_schema = *schema;
      s.output_schema_json = *v;
    }
  }
  if (auto* v = data.if_contains("tools"); v && !v->is_null())
    read_tools(*v, s.tools, problems);
  if (auto* v = data.if_contains("maxToolRounds"); v && !v->is_null()) {
    if (auto n = json_integer(*v, 1, 50))
      s.max_tool_rounds = static_cast<std::uint32_t>(*n);
    else
      problems.push_back("data.maxToolRounds must be an integer from 1 to 50");
  }
  if (problems.size() != before)
    return error{"invalid_flow", problems.back(), {}};
  return s;
}

const ai_tool* ai_settings::tool(std::string_view name) const {
  for (const auto& t : tools)
    if (t.name == name)
      return &t;
  return nullptr;
}

std::string render_user_message(const ai_settings& settings, const json::value& input) {
  std::string message;
  if (!settings.goal.empty())
    message += settings.goal + "\n\n";
  message += "Input:\n" + json::serialize(input);
  return message;
}

} // namespace baley::runtime
