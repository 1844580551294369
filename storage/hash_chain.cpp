// SHA-256 hash chain over OpenSSL 3 EVP: the digest is fetched once per
// hasher and its context reused, so hashing an event allocates nothing.
#include "storage/hash_chain.hpp"

#include "runtime/hex.hpp"

#include <openssl/evp.h>

namespace baley::storage {

namespace {

constexpr std::string_view zeros =
  "0000000000000000000000000000000000000000000000000000000000000000";

} // namespace

std::string_view genesis_hash() { return zeros; }

struct chain_hasher::impl {
  EVP_MD* md = nullptr;
  EVP_MD_CTX* ctx = nullptr;
};

chain_hasher::chain_hasher() : impl_(new impl) {
  impl_->md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  impl_->ctx = EVP_MD_CTX_new();
}

chain_hasher::~chain_hasher() {
  EVP_MD_CTX_free(impl_->ctx);
  EVP_MD_free(impl_->md);
  delete impl_;
}

bool chain_hasher::hash(std::string_view prev_hex, std::string_view event,
                        hash_hex& out) {
  if (impl_->md == nullptr || impl_->ctx == nullptr)
    return false;
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  if (EVP_DigestInit_ex2(impl_->ctx, impl_->md, nullptr) != 1
      || EVP_DigestUpdate(impl_->ctx, prev_hex.data(), prev_hex.size()) != 1
      || EVP_DigestUpdate(impl_->ctx, event.data(), event.size()) != 1
      || EVP_DigestFinal_ex(impl_->ctx, digest, &size) != 1
      || size * 2 != hash_hex_size)
    return false;
  runtime::hex_encode(digest, size, out.data());
  return true;
}

std::string chain_hash(std::string_view prev_hex, std::string_view event) {
  chain_hasher hasher;
  hash_hex out;
  if (!hasher.hash(prev_hex, event, out))
    return {};
  return std::string(out.data(), out.size());
}

} // namespace baley::storage
