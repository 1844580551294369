// current_stack_trace; see stack_trace.hpp.
#include "os/stack_trace.hpp"

#include <boost/stacktrace.hpp>

namespace baley::os {

std::string current_stack_trace() {
  return boost::stacktrace::to_string(boost::stacktrace::stacktrace());
}

} // namespace baley::os
