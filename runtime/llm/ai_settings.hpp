// An ai-block's settings (`data` of the node, or a stored block's config):
// connection, model and fallbacks, prompts, sampling, output schema, retry,
// timeout. Parsed once at flow compile time; the prompt is rendered per run.
#pragma once

#include "runtime/resilience/circuit_breaker.hpp"
#include "runtime/schema/json_schema.hpp"
#include "runtime/result.hpp"

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace baley::runtime {

class jq_program;

// A tool the model may call (API.md, "Block testing", Tools): offered in the
// provider's wire format; one with a block id runs that function-block on
// the call's arguments, and its result goes back to the model.
struct ai_tool {
  std::string name;                 // ^[A-Za-z0-9_-]{1,64}$, unique in the block
  std::string description;
  boost::json::value parameters;    // a JSON Schema (an object)
  std::shared_ptr<const json_schema> parameters_schema;
  std::optional<std::string> block_id;
  std::string code;                 // the function-block's jq, inlined by resolution
  std::shared_ptr<const jq_program> program;  // compiled by the flow compiler
};

inline constexpr std::uint32_t default_max_tool_rounds = 5;

struct ai_settings {
  std::string connection_id;
  std::string model;
  std::vector<std::string> fallback_models;
  std::string system_prompt;
  std::string goal;
  std::optional<double> temperature;         // 0..2
  std::optional<std::int64_t> max_tokens;    // 1..1,000,000
  std::shared_ptr<const json_schema> output_schema;
  boost::json::value output_schema_json;     // null when none
  std::int64_t timeout_ms = 120'000;         // one attempt, end to end
  breaker_settings breaker;                  // data.breaker, per (connection, model)
  std::vector<ai_tool> tools;                // data.tools
  std::uint32_t max_tool_rounds = default_max_tool_rounds;  // 1..50

  const ai_tool* tool(std::string_view name) const;

  // model, then fallback_models, in order.
  std::vector<std::string> models() const;
};

// Every problem at once, as messages (the caller adds the node id).
result<ai_settings> parse_ai_settings(const boost::json::object& data,
                                      std::vector<std::string>& problems);

// The user message: the goal, then the input as JSON. Deterministic.
std::string render_user_message(const ai_settings& settings, const boost::json::value& input);

} // namespace baley::runtime
