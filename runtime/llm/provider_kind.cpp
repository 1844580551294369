// Provider kinds; see provider_kind.hpp.
#include "runtime/llm/provider_kind.hpp"

#include "runtime/enum_names.hpp"

namespace baley::runtime {
namespace {

constexpr enum_names<provider_kind, 4> kinds{{{
  {provider_kind::openai, "openai"},
  {provider_kind::anthropic, "anthropic"},
  {provider_kind::ollama, "ollama"},
  {provider_kind::simulated, "simulated"},
}}};

} // namespace

std::string_view provider_kind_name(provider_kind kind) {
  return kinds.name(kind);
}

std::optional<provider_kind> provider_kind_from_name(std::string_view name) {
  return kinds.parse(name);
}

llm_wire wire_of(provider_kind kind) {
  return kind == provider_kind::anthropic ? llm_wire::anthropic : llm_wire::openai;
}

} // namespace baley::runtime
