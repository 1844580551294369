// Conversions between Boost.JSON values and libjq's jv; see jq_values.hpp.
#include "runtime/jq/jq_values.hpp"

#include "runtime/jq/jq_program.hpp"

#include <boost/json.hpp>

#include <cfloat>
#include <climits>
#include <cmath>
#include <cstdint>

namespace baley::runtime {
namespace json = boost::json;
jv to_jv(const json::value& v) {
  switch (v.kind()) {
    case json::kind::null: return jv_null();
    case json::kind::bool_: return jv_bool(v.get_bool());
    case json::kind::int64: return jv_number(static_cast<double>(v.get_int64()));
    case json::kind::uint64: return jv_number(static_cast<double>(v.get_uint64()));
    case json::kind::double_: return jv_number(v.get_double());
    case json::kind::string: {
      const auto& s = v.get_string();
      if (s.size() > INT_MAX) return jv_invalid_with_msg(jv_string("string too long for jq"));
      return jv_string_sized(s.data(), static_cast<int>(s.size()));
    }
    case json::kind::array: {
      const auto& a = v.get_array();
      jv out = jv_array_sized(static_cast<int>(a.size()));
      for (const auto& element : a) {
        jv item = to_jv(element);
        if (!jv_is_valid(item)) { jv_free(out); return item; }
        out = jv_array_append(out, item);
      }
      return out;
    }
    case json::kind::object: {
      jv out = jv_object();
      for (const auto& [key, value] : v.get_object()) {
        if (key.size() > INT_MAX) { jv_free(out); return jv_invalid_with_msg(jv_string("key too long for jq")); }
        jv item = to_jv(value);
        if (!jv_is_valid(item)) { jv_free(out); return item; }
        out = jv_object_set(out, jv_string_sized(key.data(), static_cast<int>(key.size())), item);
      }
      return out;
    }
  }
  return jv_null();
}

namespace {

json::value number_from_jv(double d) {
  if (std::isnan(d)) return nullptr;
  if (std::isinf(d)) return d > 0 ? DBL_MAX : -DBL_MAX;
  if (std::trunc(d) == d && d >= -9223372036854775808.0 && d < 9223372036854775808.0)
    return static_cast<std::int64_t>(d);
  return d;
}

} // namespace

bool from_jv(jv x, json::value& out, std::size_t depth) {
  if (depth > jq_max_output_depth) return false;
  switch (jv_get_kind(x)) {
    case JV_KIND_NULL: out = nullptr; return true;
    case JV_KIND_TRUE: out = true; return true;
    case JV_KIND_FALSE: out = false; return true;
    case JV_KIND_NUMBER: out = number_from_jv(jv_number_value(x)); return true;
    case JV_KIND_STRING:
      out = json::string_view(jv_string_value(x), jv_string_length_bytes(jv_copy(x)));
      return true;
    case JV_KIND_ARRAY: {
      auto& array = out.emplace_array();
      const int n = jv_array_length(jv_copy(x));
      array.reserve(static_cast<std::size_t>(n));
      for (int i = 0; i < n; ++i) {
        jv_owner item(jv_array_get(jv_copy(x), i));
        if (!from_jv(item.get(), array.emplace_back(nullptr), depth + 1)) return false;
      }
      return true;
    }
    case JV_KIND_OBJECT: {
      auto& object = out.emplace_object();
      for (int it = jv_object_iter(x); jv_object_iter_valid(x, it); it = jv_object_iter_next(x, it)) {
        jv_owner key(jv_object_iter_key(x, it));
        jv_owner value(jv_object_iter_value(x, it));
        json::string_view name(jv_string_value(key.get()), jv_string_length_bytes(key.copy()));
        if (!from_jv(value.get(), object[name], depth + 1)) return false;
      }
      return true;
    }
    case JV_KIND_INVALID: break;
  }
  out = nullptr;
  return true;
}

} // namespace baley::runtime
