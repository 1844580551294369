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

std::optional<std::int64_t> json_integer(const boost::json::value& value, std::int64_t min,
                                         std::int64_t max) {
  if (value.is_int64()) {
    auto n = value.get_int64();
    return n >= min && n <= max ? std::optional(n) : std::nullopt;
  }
  if (value.is_uint64()) {
    auto n = value.get_uint64();
    return max >= 0 && n <= static_cast<std::uint64_t>(max) && static_cast<std::int64_t>(n) >= min
             ? std::optional(static_cast<std::int64_t>(n)) : std::nullopt;
  }
  if (value.is_double()) {
    auto d = value.get_double();
    if (!std::isfinite(d) || d != std::floor(d) || d < static_cast<double>(min)
        || d > static_cast<double>(max))
      return std::nullopt;
    return static_cast<std::int64_t>(d);
  }
  return std::nullopt;
}

} // namespace baley::runtime
