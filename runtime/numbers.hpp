// Whole numbers from text (query parameters, flags, headers) or from JSON
// settings: all of it, in range, or nothing. One reader for every such place.
#pragma once

#include <boost/json/value.hpp>

#include <charconv>
#include <cstdint>
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

// A JSON number that is whole (5 or 5.0, not 5.5) and in range, or nothing;
// never throws, whatever the value.
std::optional<std::int64_t> json_integer(const boost::json::value& value, std::int64_t min,
                                         std::int64_t max);

} // namespace baley::runtime
