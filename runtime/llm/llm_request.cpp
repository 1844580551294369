// Request bodies and URLs for the LLM wires: OpenAI-compatible chat
// completions and Anthropic messages, streaming, from one llm_request.
#include "runtime/llm/llm_request.hpp"

#include "runtime/json_text.hpp"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

namespace baley::runtime {
namespace {

namespace json = boost::json;

// The Messages API requires max_tokens; this is its documentation's example.
constexpr std::int64_t anthropic_default_max_tokens = 1024;

json::object message(std::string_view role, std::string_view content) {
  return {{"role", role}, {"content", content}};
}

void add_openai_rounds(json::array& messages, const llm_request& r) {
  for (const auto& round : r.rounds) {
    json::array calls;
    for (const auto& c : round.calls)
      calls.push_back(json::object{
        {"id", c.id},
        {"type", "function"},
        {"function", {{"name", c.name}, {"arguments", to_json_text(c.arguments)}}}});
    messages.push_back(json::object{
      {"role", "assistant"},
      {"content", round.text.empty() ? json::value() : json::value(round.text)},
      {"tool_calls", std::move(calls)}});
    for (const auto& c : round.calls)
      messages.push_back(json::object{
        {"role", "tool"}, {"tool_call_id", c.id}, {"content", to_json_text(c.output)}});
  }
}

void add_anthropic_rounds(json::array& messages, const llm_request& r) {
  for (const auto& round : r.rounds) {
    json::array uses;
    if (!round.text.empty())
      uses.push_back(json::object{{"type", "text"}, {"text", round.text}});
    json::array results;
    for (const auto& c : round.calls) {
      uses.push_back(json::object{
        {"type", "tool_use"}, {"id", c.id}, {"name", c.name},
        {"input", c.arguments.is_object() ? c.arguments : json::value(json::object())}});
      results.push_back(json::object{
        {"type", "tool_result"}, {"tool_use_id", c.id}, {"content", to_json_text(c.output)}});
    }
    messages.push_back(json::object{{"role", "assistant"}, {"content", std::move(uses)}});
    messages.push_back(json::object{{"role", "user"}, {"content", std::move(results)}});
  }
}

std::string openai_body(const llm_request& r) {
  json::array messages;
  if (!r.system_prompt.empty())
    messages.push_back(message("system", r.system_prompt));
  messages.push_back(message("user", r.user_message));
  add_openai_rounds(messages, r);
  json::object body{{"model", r.model},
                    {"messages", std::move(messages)},
                    {"stream", true},
                    {"stream_options", {{"include_usage", true}}}};
  if (r.temperature)
    body["temperature"] = *r.temperature;
  if (r.max_tokens)
    body["max_tokens"] = *r.max_tokens;
  if (!r.tools.empty()) {
    json::array tools;
    for (const auto& t : r.tools)
      tools.push_back(json::object{
        {"type", "function"},
        {"function",
         {{"name", t.name}, {"description", t.description}, {"parameters", t.parameters}}}});
    body["tools"] = std::move(tools);
  }
  if (r.output_schema)
    body["response_format"] = {
        {"type", "json_schema"},
        {"json_schema", {{"name", "output"}, {"schema", *r.output_schema}, {"strict", false}}}};
  return to_json_text(body);
}

// Anthropic has no response_format: the schema goes into the system prompt.
std::string anthropic_system(const llm_request& r) {
  if (!r.output_schema)
    return r.system_prompt;
  std::string system = r.system_prompt;
  if (!system.empty())
    system += "\n\n";
  system += "Answer with only a JSON value, no other text, that matches this JSON Schema:\n";
  system += to_json_text(*r.output_schema);
  return system;
}

std::string anthropic_body(const llm_request& r) {
  json::array messages;
  messages.push_back(message("user", r.user_message));
  add_anthropic_rounds(messages, r);
  json::object body{{"model", r.model}};
  if (auto system = anthropic_system(r); !system.empty())
    body["system"] = system;
  body["messages"] = std::move(messages);
  body["max_tokens"] = r.max_tokens.value_or(anthropic_default_max_tokens);
  if (r.temperature)
    body["temperature"] = *r.temperature;
  if (!r.tools.empty()) {
    json::array tools;
    for (const auto& t : r.tools)
      tools.push_back(json::object{
        {"name", t.name}, {"description", t.description}, {"input_schema", t.parameters}});
    body["tools"] = std::move(tools);
  }
  body["stream"] = true;
  return to_json_text(body);
}

} // namespace

std::string llm_request_body(llm_wire wire, const llm_request& request) {
  return wire == llm_wire::openai ? openai_body(request) : anthropic_body(request);
}

std::string llm_endpoint(llm_wire wire, std::string_view base_url) {
  while (!base_url.empty() && base_url.back() == '/')
    base_url.remove_suffix(1);
  std::string url(base_url);
  if (!base_url.ends_with("/v1"))
    url += "/v1";
  url += wire == llm_wire::openai ? "/chat/completions" : "/messages";
  return url;
}

} // namespace baley::runtime
