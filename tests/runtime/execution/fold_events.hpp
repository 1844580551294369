// The state a list of execution events folds to, for tests that build states
// from events rather than by hand.
#pragma once

#include "runtime/execution/execution_state.hpp"

#include <vector>

namespace baley::runtime::testing {

inline execution_state fold(const std::vector<execution_event>& events) {
  execution_state state;
  for (const auto& e : events)
    apply(state, e);
  return state;
}

} // namespace baley::runtime::testing
