// The API's credentials over OpenSSL 3: SHA-256 of API tokens (only the hash
// is stored), constant-time comparison of webhook secrets, random tokens from
// the system CSPRNG.
#pragma once
//
// Thread-safe. No function logs or puts its input in an error message.

#include "runtime/result.hpp"

#include <cstddef>
#include <string>
#include <string_view>

namespace baley::http {

// Lowercase hex SHA-256 of `bytes` (64 characters); "" only if OpenSSL fails.
std::string sha256_hex(std::string_view bytes);

// Whether a and b are the same bytes, in time that depends only on their
// lengths: never an early exit on the first differing byte. Different
// lengths are false (the length is not a secret).
bool constant_time_equal(std::string_view a, std::string_view b);

// `bytes` random bytes from RAND_bytes as base64url without padding
// (ceil(4 * bytes / 3) characters; 32 bytes -> 43). "crypto_error" if the
// generator fails.
result<std::string> random_token(std::size_t bytes);

} // namespace baley::http
