// Distinct numbers get distinct types: a stream's index and the log's global
// position cannot be mixed up (Redpanda's named_type), and neither passes
// for a plain number without saying so (.value()).
#pragma once

#include <compare>
#include <cstdint>
#include <limits>
#include <ostream>
#include <string>

namespace baley {

template <class T, class Tag>
class named_type {
public:
  using value_type = T;

  constexpr named_type() = default;
  constexpr explicit named_type(T value) : value_(value) {}

  constexpr T value() const { return value_; }

  constexpr auto operator<=>(const named_type&) const = default;

  constexpr named_type& operator++() {
    ++value_;
    return *this;
  }
  constexpr named_type& operator+=(T n) {
    value_ += n;
    return *this;
  }
  constexpr named_type operator+(T n) const { return named_type(value_ + n); }
  constexpr named_type operator-(T n) const { return named_type(value_ - n); }
  // How far apart two of them are.
  constexpr T operator-(named_type other) const { return value_ - other.value_; }

  friend std::ostream& operator<<(std::ostream& out, named_type x) { return out << x.value_; }
  friend std::string to_string(named_type x) { return std::to_string(x.value_); }

private:
  T value_ = 0;
};

using stream_index = named_type<std::uint64_t, struct stream_index_tag>;        // 0,1,2,... in one stream
using global_position = named_type<std::uint64_t, struct global_position_tag>;  // order of all events
using unix_ms = std::int64_t;  // milliseconds since the Unix epoch

} // namespace baley

// numeric_limits of a named number are those of its value; without this the
// primary template answers max() == 0 and a seek to "the last index" finds none.
template <class T, class Tag>
struct std::numeric_limits<baley::named_type<T, Tag>> : std::numeric_limits<T> {
  static constexpr baley::named_type<T, Tag> min() noexcept {
    return baley::named_type<T, Tag>(std::numeric_limits<T>::min());
  }
  static constexpr baley::named_type<T, Tag> max() noexcept {
    return baley::named_type<T, Tag>(std::numeric_limits<T>::max());
  }
  static constexpr baley::named_type<T, Tag> lowest() noexcept {
    return baley::named_type<T, Tag>(std::numeric_limits<T>::lowest());
  }
};
