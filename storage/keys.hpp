// Key layout of the log: `log` keys sort a stream's events by index, `global`
// keys sort every event by position and point back at the `log` key.
#pragma once
//
// log    key   = stream ‖ '\0' ‖ big-endian u64 index
//        value = record ‖ big-endian u64 global position (8-byte trailer)
// global key   = big-endian u64 position
//        value = stream ‖ '\0' ‖ big-endian u64 index (the `log` key)
// A stream name never contains '\0', so one stream's keys are contiguous and
// ordered by index.

#include "runtime/types.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace baley::storage {

inline constexpr std::size_t be64_size = 8;

void append_be64(std::string& out, std::uint64_t value);
std::uint64_t read_be64(std::string_view bytes);  // bytes.size() >= 8

// stream ‖ '\0' ‖ be64(index), written into `out` (cleared first).
void make_log_key(std::string& out, std::string_view stream, stream_index index);
std::string log_key(std::string_view stream, stream_index index);

// stream ‖ '\0': every log key of the stream starts with it.
std::string stream_prefix(std::string_view stream);

struct log_key_parts {
  std::string_view stream;
  stream_index index{};
};
std::optional<log_key_parts> parse_log_key(std::string_view key);

std::string global_key(global_position position);

// A stored `log` value split into the record and its global position.
struct stored_value {
  std::string_view record;
  global_position position{};
};
std::optional<stored_value> split_stored_value(std::string_view value);

} // namespace baley::storage
