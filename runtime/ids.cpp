// UUIDv7 formatting (RFC 9562, section 5.7).
#include "runtime/ids.hpp"

namespace baley {

std::string make_uuid_v7(unix_ms now, const uuid_random_bytes& random) {
  std::array<std::uint8_t, 16> bytes{};
  auto ms = static_cast<std::uint64_t>(now);
  for (int i = 0; i < 6; ++i)
    bytes[i] = static_cast<std::uint8_t>(ms >> (8 * (5 - i)));
  for (int i = 0; i < 10; ++i)
    bytes[6 + i] = random[i];
  bytes[6] = static_cast<std::uint8_t>(0x70 | (bytes[6] & 0x0F));
  bytes[8] = static_cast<std::uint8_t>(0x80 | (bytes[8] & 0x3F));
  static constexpr char hex[] = "0123456789abcdef";
  std::string out;
  out.reserve(36);
  for (int i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10)
      out.push_back('-');
    out.push_back(hex[bytes[i] >> 4]);
    out.push_back(hex[bytes[i] & 0x0F]);
  }
  return out;
}


} // namespace baley
