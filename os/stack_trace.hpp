// The calling thread's stack, as text, for `baley serve --debug` answers
// (Boost.Stacktrace, kept in this one translation unit).
#pragma once

#include <string>

namespace baley::os {

// One frame per line: address, function name when the symbol is exported,
// and the binary.
std::string current_stack_trace();

} // namespace baley::os
