// Deadlines for the black-box tests' bounded waits: how many milliseconds a
// poll or a read may still take.
#pragma once

#include <chrono>

namespace baley::testing {

// Never negative: 0 once the deadline has passed.
inline int millis_left(std::chrono::steady_clock::time_point deadline) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
    deadline - std::chrono::steady_clock::now());
  return left.count() < 0 ? 0 : static_cast<int>(left.count());
}

} // namespace baley::testing
