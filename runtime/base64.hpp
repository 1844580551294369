// Base64 text for bytes: the standard alphabet with padding (sealed secrets)
// and the URL-safe alphabet without padding (tokens in URLs and headers).
#pragma once
//
// Decoding is strict: only the chosen alphabet, padding exactly where the
// encoder puts it, no whitespace, and unused trailing bits must be zero, so
// that every byte string has exactly one accepted text.

#include <optional>
#include <string>
#include <string_view>

namespace baley::runtime {

std::string base64_encode(std::string_view bytes);     // RFC 4648 §4, padded
std::string base64url_encode(std::string_view bytes);  // RFC 4648 §5, no padding

// nullopt for text that is not what base64_encode would produce.
std::optional<std::string> base64_decode(std::string_view text);

} // namespace baley::runtime
