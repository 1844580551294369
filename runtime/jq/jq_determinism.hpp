// The determinism check of jq programs: a token scan over jq 1.6's lexical
// grammar that finds the first use of a builtin reading time, input or files.
#pragma once

#include "runtime/result.hpp"

#include <optional>
#include <string_view>

namespace baley::runtime {

// An "invalid_jq" error naming the refused builtin and its line, or nothing.
std::optional<baley::error> check_deterministic(std::string_view code);

} // namespace baley::runtime
