// Field readers for parsing stored events: an absent field reads as its
// default (a null string or boolean too), a wrong kind is kept in `problem`.
#pragma once

#include "runtime/numbers.hpp"

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>

namespace baley::runtime {

struct json_fields {
  const boost::json::object& o;
  std::string problem;  // the first wrong kind met; empty when all were right

  void wrong(std::string_view key, std::string_view kind) {
    if (problem.empty())
      problem = std::string(key) + " is not " + std::string(kind);
  }

  const boost::json::value* present(std::string_view key) const {
    auto* v = o.if_contains(key);
    return v && !v->is_null() ? v : nullptr;
  }

  std::string str(std::string_view key) {
    auto* v = present(key);
    if (!v)
      return {};
    if (!v->is_string()) {
      wrong(key, "a string");
      return {};
    }
    return std::string(v->get_string());
  }
  std::int64_t integer(std::string_view key, std::int64_t fallback = 0) {
    auto* v = o.if_contains(key);
    if (!v)
      return fallback;
    if (auto n = json_integer(*v, std::numeric_limits<std::int64_t>::min(),
                              std::numeric_limits<std::int64_t>::max()))
      return *n;
    wrong(key, "a whole number");
    return fallback;
  }
  double number(std::string_view key, double fallback) {
    auto* v = o.if_contains(key);
    if (!v)
      return fallback;
    if (!v->is_number()) {
      wrong(key, "a number");
      return fallback;
    }
    return v->to_number<double>();
  }
  bool boolean(std::string_view key, bool fallback = false) {
    auto* v = present(key);
    if (!v)
      return fallback;
    if (!v->is_bool()) {
      wrong(key, "a boolean");
      return fallback;
    }
    return v->get_bool();
  }
  std::optional<std::uint32_t> opt_u32(std::string_view key) {
    if (!o.contains(key))
      return std::nullopt;
    return static_cast<std::uint32_t>(integer(key));
  }
  std::optional<std::string> opt_str(std::string_view key) {
    if (!o.contains(key))
      return std::nullopt;
    return str(key);
  }
  boost::json::value val(std::string_view key) const {
    auto* v = o.if_contains(key);
    return v ? *v : boost::json::value();
  }
};

} // namespace baley::runtime
