// The signature of a failure message (API.md, "Analytics"): numbers, UUIDs
// and quoted text masked, so that failures that differ only there group.
#pragma once

#include <string>
#include <string_view>

namespace baley::runtime {

// Quoted text ("…" or '…') → <s>, UUIDs → <id>, numbers → <n>, in that order:
// "attempt 1 of 3" and "attempt 3 of 3" are both "attempt <n> of <n>".
// A number is a run of digits (with one inner '.'), not inside a word:
// "gpt4" and "o3-mini" keep their digits.
std::string failure_signature(std::string_view message);

} // namespace baley::runtime
