// The one way expected failures travel: a value or a baley::error carrying the
// API's snake_case code, a message for a person and, when known, a node id.
#pragma once

#include <cassert>
#include <string>
#include <utility>
#include <variant>

namespace baley {

struct error {
  std::string code;     // snake_case, as in the HTTP API ("invalid_flow")
  std::string message;  // for a person; never a secret, never a stack trace
  std::string node_id;  // empty when the error is not about one node
};

template <class T>
class [[nodiscard]] result {
public:
  result(T value) : data_(std::move(value)) {}
  result(baley::error err) : data_(std::move(err)) {}

  bool has_value() const noexcept { return data_.index() == 0; }
  explicit operator bool() const noexcept { return has_value(); }

  T& value() & { assert(has_value()); return std::get<0>(data_); }
  const T& value() const& { assert(has_value()); return std::get<0>(data_); }
  T&& value() && { assert(has_value()); return std::get<0>(std::move(data_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  const baley::error& error() const& { assert(!has_value()); return std::get<1>(data_); }
  baley::error&& error() && { assert(!has_value()); return std::get<1>(std::move(data_)); }

private:
  std::variant<T, baley::error> data_;
};

struct ok_t {};
inline constexpr ok_t ok{};

// A result with no value: success or an error.
using status = result<ok_t>;

} // namespace baley
