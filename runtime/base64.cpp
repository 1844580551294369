// Base64 encode and strict decode, RFC 4648, without OpenSSL's EVP_Encode*
// (which adds newlines, always pads and accepts whitespace when decoding).
#include "runtime/base64.hpp"

#include <array>
#include <cstdint>

namespace baley::runtime {

namespace {

constexpr std::string_view standard_alphabet =
  "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr std::string_view url_alphabet =
  "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

std::string encode(std::string_view bytes, std::string_view alphabet, bool pad) {
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  std::size_t i = 0;
  auto byte = [&](std::size_t at) { return static_cast<std::uint32_t>(
                                      static_cast<unsigned char>(bytes[at])); };
  for (; i + 3 <= bytes.size(); i += 3) {
    auto group = byte(i) << 16 | byte(i + 1) << 8 | byte(i + 2);
    for (int shift = 18; shift >= 0; shift -= 6)
      out.push_back(alphabet[(group >> shift) & 0x3f]);
  }
  auto rest = bytes.size() - i;
  if (rest > 0) {
    auto group = byte(i) << 16 | (rest == 2 ? byte(i + 1) << 8 : 0);
    out.push_back(alphabet[(group >> 18) & 0x3f]);
    out.push_back(alphabet[(group >> 12) & 0x3f]);
    if (rest == 2)
      out.push_back(alphabet[(group >> 6) & 0x3f]);
    if (pad)
      out.append(3 - rest, '=');
  }
  return out;
}

std::optional<std::string> decode(std::string_view text, std::string_view alphabet,
                                  bool padded) {
  std::array<int, 256> values;
  values.fill(-1);
  for (std::size_t i = 0; i < alphabet.size(); ++i)
    values[static_cast<unsigned char>(alphabet[i])] = static_cast<int>(i);

  if (padded) {
    if (text.size() % 4 != 0)
      return std::nullopt;
    for (int n = 0; n < 2 && !text.empty() && text.back() == '='; ++n)
      text.remove_suffix(1);
  }
  if (text.size() % 4 == 1)
    return std::nullopt;  // no byte count encodes to 4k + 1 characters

  std::string out;
  out.reserve(text.size() / 4 * 3 + 2);
  std::uint32_t group = 0;
  int bits = 0;
  for (char c : text) {
    auto value = values[static_cast<unsigned char>(c)];
    if (value < 0)
      return std::nullopt;
    group = (group << 6) | static_cast<std::uint32_t>(value);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((group >> bits) & 0xff));
    }
  }
  if ((group & ((1u << bits) - 1)) != 0)
    return std::nullopt;  // non-zero unused bits: not canonical
  return out;
}

} // namespace

std::string base64_encode(std::string_view bytes) {
  return encode(bytes, standard_alphabet, true);
}

std::string base64url_encode(std::string_view bytes) {
  return encode(bytes, url_alphabet, false);
}

std::optional<std::string> base64_decode(std::string_view text) {
  return decode(text, standard_alphabet, true);
}


} // namespace baley::runtime
