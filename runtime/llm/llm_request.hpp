// What an ai-block asks a provider for, as the request body and URL of each
// wire format (OpenAI-compatible chat completions, Anthropic messages). Pure.
#pragma once

#include "runtime/llm/llm_stream.hpp"

#include <boost/json/value.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>
#include <string_view>

namespace baley::runtime {

// A tool offered to the model.
struct tool_offer {
  std::string name;
  std::string description;
  boost::json::value parameters;  // JSON Schema
};

// One tool call of an earlier round and what it returned.
struct tool_exchange {
  std::string id;
  std::string name;
  boost::json::value arguments;
  boost::json::value output;
};

// An earlier round of the conversation: the model's text and tool calls,
// then the results sent back.
struct tool_round {
  std::string text;
  std::vector<tool_exchange> calls;
};

// What the ai-block asks for.
struct llm_request {
  std::string model;
  std::string system_prompt;
  std::string user_message;            // the rendered goal and input
  std::optional<double> temperature;
  std::optional<std::int64_t> max_tokens;
  std::optional<boost::json::value> output_schema;  // request JSON output
  std::vector<tool_offer> tools;
  std::vector<tool_round> rounds;  // oldest first, after the user message
};

// The request body (JSON text) for `wire`, with streaming on (and, for
// OpenAI, stream_options.include_usage). An empty system prompt sends none.
// An output_schema is OpenAI's response_format json_schema ("output", not
// strict); Anthropic has none, so the system prompt asks for JSON matching
// the schema, printed. Anthropic requires max_tokens: 1024 when absent.
// Tools go in each wire's own form: OpenAI `tools` [{type:"function",
// function:{name,description,parameters}}], an assistant message with
// `tool_calls` (arguments as JSON text) and a `tool` message per result;
// Anthropic `tools` [{name,description,input_schema}], an assistant message
// of `tool_use` blocks and a user message of `tool_result` blocks.
std::string llm_request_body(llm_wire wire, const llm_request& request);

// {baseUrl}/v1/chat/completions or {baseUrl}/v1/messages; a baseUrl that
// already ends in /v1 (or /v1/) does not get a second one.
std::string llm_endpoint(llm_wire wire, std::string_view base_url);

} // namespace baley::runtime
