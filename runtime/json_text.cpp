// JSON text in and out of boost::json values: strict parsing with a depth limit
// and a position a person can find, serialization, and equality by value.
#include "runtime/json_text.hpp"

#include <boost/json/error.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/stream_parser.hpp>

#include <cmath>
#include <cstdint>
#include <exception>

namespace baley::runtime {
namespace {

namespace json = boost::json;

// "line L, column C" for a byte offset; columns count UTF-8 code points.
std::string position_of(std::string_view text, std::size_t offset) {
  std::size_t line = 1;
  std::size_t column = 1;
  for (std::size_t i = 0; i < offset && i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c == '\n') {
      ++line;
      column = 1;
    } else if ((c & 0xC0) != 0x80) {  // not a UTF-8 continuation byte
      ++column;
    }
  }
  return "line " + std::to_string(line) + ", column " + std::to_string(column);
}

bool only_whitespace(std::string_view text) {
  return text.find_first_not_of(" \t\r\n") == std::string_view::npos;
}

baley::error parse_error(std::string_view text, std::size_t offset,
                         const json::error_code& ec, std::size_t max_depth) {
  if (ec == json::error::too_deep)
    return {"invalid_json", "JSON nested deeper than " + std::to_string(max_depth) +
                                " levels at " + position_of(text, offset), {}};
  const std::string reason = only_whitespace(text) ? "empty input" : ec.message();
  return {"invalid_json", "invalid JSON at " + position_of(text, offset) + ": " + reason, {}};
}

// Exact comparison of two JSON numbers of any representation.
bool number_equal(const json::value& a, const json::value& b) {
  if (a.is_double() && b.is_double()) return a.get_double() == b.get_double();
  if (a.is_double() || b.is_double()) {
    const double d = a.is_double() ? a.get_double() : b.get_double();
    const json::value& i = a.is_double() ? b : a;
    if (!std::isfinite(d) || std::trunc(d) != d) return false;
    if (i.is_int64()) {
      // [-2^63, 2^63) is exactly representable at its bounds as doubles.
      if (d < -9223372036854775808.0 || d >= 9223372036854775808.0) return false;
      return static_cast<std::int64_t>(d) == i.get_int64();
    }
    if (d < 0.0 || d >= 18446744073709551616.0) return false;
    return static_cast<std::uint64_t>(d) == i.get_uint64();
  }
  if (a.is_int64() && b.is_int64()) return a.get_int64() == b.get_int64();
  if (a.is_uint64() && b.is_uint64()) return a.get_uint64() == b.get_uint64();
  const std::int64_t s = a.is_int64() ? a.get_int64() : b.get_int64();
  const std::uint64_t u = a.is_uint64() ? a.get_uint64() : b.get_uint64();
  return s >= 0 && static_cast<std::uint64_t>(s) == u;
}

} // namespace

result<boost::json::value> parse_json(std::string_view text, std::size_t max_depth) {
  try {
    json::parse_options options;
    options.max_depth = max_depth;
    json::stream_parser parser({}, options);
    json::error_code ec;
    const std::size_t consumed = parser.write(text.data(), text.size(), ec);
    if (ec) return parse_error(text, consumed, ec, max_depth);
    parser.finish(ec);
    if (ec) return parse_error(text, text.size(), ec, max_depth);
    return parser.release();
  } catch (const std::exception& e) {  // allocation failure
    return baley::error{"invalid_json", std::string("invalid JSON: ") + e.what(), {}};
  }
}

boost::json::value parse_stored_json(std::string_view text, boost::system::error_code& ec) {
  boost::json::parse_options options;
  options.max_depth = stored_json_max_depth;
  return boost::json::parse(boost::json::string_view(text.data(), text.size()), ec,
                            boost::json::storage_ptr(), options);
}

std::string to_json_text(const boost::json::value& value) {
  return json::serialize(value);
}

bool json_equal(const boost::json::value& a, const boost::json::value& b) {
  if (a.is_number() && b.is_number()) return number_equal(a, b);
  if (a.kind() != b.kind()) return false;
  switch (a.kind()) {
    case json::kind::array: {
      const auto& x = a.get_array();
      const auto& y = b.get_array();
      if (x.size() != y.size()) return false;
      for (std::size_t i = 0; i < x.size(); ++i)
        if (!json_equal(x[i], y[i])) return false;
      return true;
    }
    case json::kind::object: {
      const auto& x = a.get_object();
      const auto& y = b.get_object();
      if (x.size() != y.size()) return false;
      for (const auto& [key, value] : x) {
        const auto* other = y.if_contains(key);
        if (other == nullptr || !json_equal(value, *other)) return false;
      }
      return true;
    }
    default:
      return a == b;  // null, bool, string
  }
}

std::optional<boost::json::object> parse_stored_object(std::string_view text) {
  boost::system::error_code ec;
  auto value = parse_stored_json(text, ec);
  if (ec || !value.is_object())
    return std::nullopt;
  return std::move(value.get_object());
}

} // namespace baley::runtime
