// SHA-256, constant-time compare and random tokens; see credentials.hpp.
#include "http/credentials.hpp"

#include "runtime/base64.hpp"
#include "runtime/hex.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <climits>

namespace baley::http {

std::string sha256_hex(std::string_view bytes) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  if (EVP_Digest(bytes.data(), bytes.size(), digest, &size, EVP_sha256(), nullptr) != 1)
    return {};
  std::string hex(2 * size, '\0');
  runtime::hex_encode(digest, size, hex.data());
  return hex;
}

bool constant_time_equal(std::string_view a, std::string_view b) {
  if (a.size() != b.size())
    return false;
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

namespace {

result<std::string> random_bytes(std::size_t bytes) {
  if (bytes > static_cast<std::size_t>(INT_MAX))
    return error{"crypto_error", "too many random bytes requested", {}};
  std::string out(bytes, '\0');
  if (bytes > 0
      && RAND_bytes(reinterpret_cast<unsigned char*>(out.data()),
                    static_cast<int>(bytes)) != 1)
    return error{"crypto_error", "the system random generator failed", {}};
  return out;
}

} // namespace

result<std::string> random_token(std::size_t bytes) {
  auto raw = random_bytes(bytes);
  if (!raw)
    return std::move(raw).error();
  auto token = runtime::base64url_encode(*raw);
  OPENSSL_cleanse(raw->data(), raw->size());
  return token;
}

} // namespace baley::http
