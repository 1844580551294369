// What an ai-block asks a provider for, as the request body and URL of each
// wire format (OpenAI-compatible chat completions, Anthropic messages). Pure.
#pragma once

#include "runtime/llm/llm_stream.hpp"

#include <boost/json/value.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace baley::runtime {

// What the ai-block asks for.
struct llm_request {
  std::string model;
  std::string system_prompt;
  std::string user_message;            // the rendered goal and input
  std::optional<double> temperature;
  std::optional<std::int64_t> max_tokens;
  std::optional<boost::json::value> output_schema;  // request JSON output
};

// The request body (JSON text) for `wire`, with streaming on (and, for
// OpenAI, stream_options.include_usage). An empty system prompt sends none.
// An output_schema is OpenAI's response_format json_schema ("output", not
// strict); Anthropic has none, so the system prompt asks for JSON matching
// the schema, printed. Anthropic requires max_tokens: 1024 when absent.
std::string llm_request_body(llm_wire wire, const llm_request& request);

// {baseUrl}/v1/chat/completions or {baseUrl}/v1/messages; a baseUrl that
// already ends in /v1 (or /v1/) does not get a second one.
std::string llm_endpoint(llm_wire wire, std::string_view base_url);

} // namespace baley::runtime
