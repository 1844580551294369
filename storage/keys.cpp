// Encoding of `log` and `global` keys and of the stored `log` value: plain
// byte layouts, big-endian so that RocksDB's bytewise order is numeric order.
#include "storage/keys.hpp"

namespace baley::storage {

void append_be64(std::string& out, std::uint64_t value) {
  char bytes[be64_size];
  for (std::size_t i = 0; i < be64_size; ++i)
    bytes[i] = static_cast<char>((value >> (8 * (be64_size - 1 - i))) & 0xff);
  out.append(bytes, be64_size);
}

std::uint64_t read_be64(std::string_view bytes) {
  std::uint64_t value = 0;
  for (std::size_t i = 0; i < be64_size; ++i)
    value = (value << 8) | static_cast<unsigned char>(bytes[i]);
  return value;
}

void make_log_key(std::string& out, std::string_view stream, stream_index index) {
  out.clear();
  out.append(stream);
  out.push_back('\0');
  append_be64(out, index.value());
}

std::string log_key(std::string_view stream, stream_index index) {
  std::string key;
  key.reserve(stream.size() + 1 + be64_size);
  make_log_key(key, stream, index);
  return key;
}

std::string stream_prefix(std::string_view stream) {
  std::string prefix(stream);
  prefix.push_back('\0');
  return prefix;
}

std::optional<log_key_parts> parse_log_key(std::string_view key) {
  if (key.size() < be64_size + 1)
    return std::nullopt;
  auto separator = key.size() - be64_size - 1;
  if (key[separator] != '\0' || key.find('\0') != separator)
    return std::nullopt;
  return log_key_parts{key.substr(0, separator),
                       stream_index{read_be64(key.substr(separator + 1))}};
}

std::string global_key(global_position position) {
  std::string key;
  key.reserve(be64_size);
  append_be64(key, position.value());
  return key;
}

std::optional<stored_value> split_stored_value(std::string_view value) {
  if (value.size() < be64_size)
    return std::nullopt;
  auto record_size = value.size() - be64_size;
  return stored_value{value.substr(0, record_size),
                      global_position{read_be64(value.substr(record_size))}};
}

} // namespace baley::storage
