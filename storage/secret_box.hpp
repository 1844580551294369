// Secrets at rest (connection API keys, webhook secrets): AES-256-GCM under
// one master key, from BALEY_MASTER_KEY or a 0600 key file in the data dir.
#pragma once
//
// Sealed text: "v1:" ‖ base64(12-byte random nonce ‖ ciphertext ‖ 16-byte
// tag), the version prefix authenticated as associated data. A secret_box is
// immutable once open: seal() and unseal() are thread-safe.
// Errors never carry a key, a plaintext or a sealed value: only what was
// expected, and for the key file its path and mode.
// - "invalid_master_key": BALEY_MASTER_KEY is set but is not 64 hex
//   characters, or DATA/master.key does not hold exactly 32 bytes.
// - "insecure_master_key": DATA/master.key is not a regular file or has any
//   group/other permission bit (the fix is `chmod 600`).
// - "secret_unreadable": unseal() of text that is not a sealed value, was
//   sealed under another key, or was altered.
// - "crypto_error" (OpenSSL failed), "io_error" (the key file).

#include "runtime/result.hpp"

#include <array>
#include <string>
#include <string_view>

namespace baley::storage {

inline constexpr std::string_view master_key_env = "BALEY_MASTER_KEY";
inline constexpr std::string_view master_key_file = "master.key";

class secret_box {
public:
  // The key of BALEY_MASTER_KEY when set (the data dir is then not touched),
  // else of DATA/master.key, created with 32 random bytes and mode 0600 on
  // first use (and `data_dir` with it).
  static result<secret_box> open(const std::string& data_dir);

  secret_box(secret_box&& other) noexcept;
  secret_box& operator=(secret_box&& other) noexcept;
  secret_box(const secret_box&) = delete;
  secret_box& operator=(const secret_box&) = delete;
  ~secret_box();  // wipes the key

  result<std::string> seal(std::string_view plaintext) const;
  result<std::string> unseal(std::string_view sealed) const;

private:
  using key_bytes = std::array<unsigned char, 32>;
  explicit secret_box(const key_bytes& key) : key_(key) {}
  key_bytes key_{};
};

} // namespace baley::storage
