// Enums that travel as text (event fields, API fields, flags): one table of
// (value, name) per enum, read both ways, so that no enum's spelling is
// written twice.
#pragma once

#include <array>
#include <optional>
#include <string_view>
#include <utility>

namespace baley::runtime {

template <class Enum, std::size_t N>
class enum_names {
public:
  constexpr explicit enum_names(std::array<std::pair<Enum, std::string_view>, N> entries)
    : entries_(entries) {}

  // Every value of the enum is in the table; the first name is the fallback.
  constexpr std::string_view name(Enum value) const {
    for (auto [v, n] : entries_)
      if (v == value)
        return n;
    return entries_[0].second;
  }

  constexpr std::optional<Enum> parse(std::string_view text) const {
    for (auto [v, n] : entries_)
      if (n == text)
        return v;
    return std::nullopt;
  }

private:
  std::array<std::pair<Enum, std::string_view>, N> entries_;
};

} // namespace baley::runtime
