// ai-block settings and prompt rendering; see ai_settings.hpp.
#include "runtime/llm/ai_settings.hpp"

#include "runtime/numbers.hpp"

#include <boost/json/serialize.hpp>

namespace baley::runtime {
namespace json = boost::json;

std::vector<std::string> ai_settings::models() const {
  std::vector<std::string> all{model};
  all.insert(all.end(), fallback_models.begin(), fallback_models.end());
  return all;
}

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
  if (problems.size() != before)
    return error{"invalid_flow", problems.back(), {}};
  return s;
}

std::string render_user_message(const ai_settings& settings, const json::value& input) {
  std::string message;
  if (!settings.goal.empty())
    message += settings.goal + "\n\n";
  message += "Input:\n" + json::serialize(input);
  return message;
}

} // namespace baley::runtime
