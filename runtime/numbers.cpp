// Numbers from text; see numbers.hpp.
#include "runtime/numbers.hpp"

#include <cmath>

namespace baley::runtime {

std::optional<double> parse_decimal(std::string_view text, double min, double max) {
  double value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size()
      || !std::isfinite(value) || value < min || value > max)
    return std::nullopt;
  return value;
}

} // namespace baley::runtime
