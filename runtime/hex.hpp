// Hexadecimal text for bytes, lower case: hashes, token digests and the
// master key are read and written only through these two functions.
#pragma once

#include <cstddef>

namespace baley::runtime {

// 0-15 for a hex digit of either case, -1 for anything else.
constexpr int hex_digit_value(char c) {
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

// Writes 2 * size lower-case digits to out; allocates nothing (the log's hot path).
inline void hex_encode(const unsigned char* bytes, std::size_t size, char* out) {
  constexpr char digits[] = "0123456789abcdef";
  for (std::size_t i = 0; i < size; ++i) {
    out[2 * i] = digits[bytes[i] >> 4];
    out[2 * i + 1] = digits[bytes[i] & 0x0f];
  }
}

} // namespace baley::runtime
