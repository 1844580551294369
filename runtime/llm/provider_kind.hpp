// The kinds of LLM connection (API.md, "Flows and blocks"): parsed once where
// a connection enters (the API, the catalog), then carried as this enum.
#pragma once

#include "runtime/llm/llm_stream.hpp"

#include <optional>
#include <string_view>

namespace baley::runtime {

enum class provider_kind {
  openai,     // /v1/chat/completions: OpenAI, vLLM, llama.cpp server
  anthropic,  // /v1/messages
  ollama,     // Ollama's OpenAI-compatible endpoint
  simulated,  // built in: a deterministic reply, no network
};

std::string_view provider_kind_name(provider_kind kind);
std::optional<provider_kind> provider_kind_from_name(std::string_view name);

// The wire format of an HTTP provider (simulated has none: openai).
llm_wire wire_of(provider_kind kind);

} // namespace baley::runtime
