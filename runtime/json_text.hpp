// JSON text in and out of boost::json values: strict parsing with a depth limit
// and a position a person can find, serialization, and equality by value.
#pragma once

#include "runtime/result.hpp"

#include <boost/json/value.hpp>

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace baley::runtime {

inline constexpr std::size_t default_max_json_depth = 64;

// Parses one JSON document (RFC 8259: no comments, no trailing commas, UTF-8).
// Errors have code "invalid_json" and say where, 1-based, columns counted in
// characters: "invalid JSON at line 2, column 5: syntax error", or
// "JSON nested deeper than 64 levels at line 1, column 65". Empty input is
// invalid. `max_depth` arrays/objects may nest; one more is refused.
result<boost::json::value>
parse_json(std::string_view text, std::size_t max_depth = default_max_json_depth);

// Parses JSON this system wrote itself (stored events, records): strict, but
// deep enough for any event that holds an input or an output (inputs are
// limited to 64 levels, jq outputs to 512). Boost.JSON's default of 32 is
// not. Returns null with `ec` set on failure.
inline constexpr std::size_t stored_json_max_depth = 2048;
boost::json::value parse_stored_json(std::string_view text, boost::system::error_code& ec);
// The same for a stored row that must be one object: nothing otherwise.
std::optional<boost::json::object> parse_stored_object(std::string_view text);

// Compact JSON text (boost::json::serialize).
std::string to_json_text(const boost::json::value& value);

// Equality by JSON value: numbers compare by value whatever their
// representation (int64 6 == uint64 6 == double 6.0), objects ignore key
// order, arrays compare element by element. For comparing expected outputs.
bool json_equal(const boost::json::value& a, const boost::json::value& b);

} // namespace baley::runtime
