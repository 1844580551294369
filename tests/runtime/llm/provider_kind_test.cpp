// Tests for runtime/provider_kind: each kind's name both ways, unknown names,
// and the wire format each kind speaks.
#include "runtime/llm/provider_kind.hpp"

#include <gtest/gtest.h>

#include <string_view>
#include <utility>
#include <vector>

namespace baley::runtime {
namespace {

const std::vector<std::pair<provider_kind, std::string_view>>& every_kind() {
  static const std::vector<std::pair<provider_kind, std::string_view>> kinds = {
    {provider_kind::openai, "openai"},
    {provider_kind::anthropic, "anthropic"},
    {provider_kind::ollama, "ollama"},
    {provider_kind::simulated, "simulated"},
  };
  return kinds;
}

TEST(provider_kind, every_kind_has_its_name_both_ways) {
  for (auto [kind, name] : every_kind()) {
    EXPECT_EQ(provider_kind_name(kind), name);
    EXPECT_EQ(provider_kind_from_name(name), kind) << name;
  }
}

TEST(provider_kind, unknown_names_are_nothing) {
  for (auto name : {"", "OpenAI", "ANTHROPIC", " ollama", "ollama ", "gemini", "simulate",
                    "open-ai", "azure"})
    EXPECT_FALSE(provider_kind_from_name(name)) << '"' << name << '"';
}

TEST(provider_kind, anthropic_speaks_its_own_wire_and_the_rest_openai) {
  EXPECT_EQ(wire_of(provider_kind::anthropic), llm_wire::anthropic);
  EXPECT_EQ(wire_of(provider_kind::openai), llm_wire::openai);
  EXPECT_EQ(wire_of(provider_kind::ollama), llm_wire::openai);
  EXPECT_EQ(wire_of(provider_kind::simulated), llm_wire::openai);
}

} // namespace
} // namespace baley::runtime
