// Values across the libjq boundary: an owning jv handle and conversions
// between Boost.JSON and jv without going through text.
//
// libjq reference counting: a jv passed to a jv_* or jq_* function is consumed
// unless the function only reads it (jv_get_kind, jv_number_value,
// jv_string_value, jv_object_iter*). jv_owner holds exactly one reference.
#pragma once

extern "C" {
#include <jv.h>
}

#include <boost/json/value.hpp>

#include <cstddef>

namespace baley::runtime {

class jv_owner {
public:
  explicit jv_owner(jv value) noexcept : value_(value) {}
  ~jv_owner() { jv_free(value_); }
  jv_owner(const jv_owner&) = delete;
  jv_owner& operator=(const jv_owner&) = delete;

  jv get() const noexcept { return value_; }  // borrowed: do not free
  jv copy() const noexcept { return jv_copy(value_); }
  jv release() noexcept {
    jv value = value_;
    value_ = jv_invalid();
    return value;
  }

private:
  jv value_;
};

// A new jv (owned by the caller) for a JSON value.
jv to_jv(const boost::json::value& v);

// Converts a borrowed jv; false when it is nested deeper than the limit.
bool from_jv(jv x, boost::json::value& out, std::size_t depth);

} // namespace baley::runtime
