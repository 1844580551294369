// Whole numbers from text (query parameters, flags, headers): all of the
// text, in range, or nothing. One parser for every such place.
#pragma once

#include <charconv>
#include <optional>
#include <string_view>

namespace baley::runtime {

template <class Integer>
std::optional<Integer> parse_integer(std::string_view text, Integer min, Integer max) {
  Integer value{};
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size() || value < min
      || value > max)
    return std::nullopt;
  return value;
}

// A decimal number (fractions allowed) in range, or nothing.
std::optional<double> parse_decimal(std::string_view text, double min, double max);

} // namespace baley::runtime
