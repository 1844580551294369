// AES-256-GCM sealing with OpenSSL 3 EVP, and finding the master key: the
// environment first, else the data dir's key file, created once, atomically.
#include "storage/secret_box.hpp"

#include "os/private_file.hpp"

#include "runtime/base64.hpp"
#include "runtime/hex.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <memory>

namespace baley::storage {

namespace {

constexpr std::string_view version_prefix = "v1:";  // also the associated data
constexpr std::size_t key_size = 32;
constexpr std::size_t nonce_size = 12;
constexpr std::size_t tag_size = 16;

using key_bytes = std::array<unsigned char, key_size>;

struct cipher_ctx_free {
  void operator()(EVP_CIPHER_CTX* ctx) const { EVP_CIPHER_CTX_free(ctx); }
};
using cipher_ctx = std::unique_ptr<EVP_CIPHER_CTX, cipher_ctx_free>;

// `bytes` random bytes from the system CSPRNG; "crypto_error" if it fails.
result<std::string> random_bytes(std::size_t bytes) {
  std::string out(bytes, '\0');
  if (bytes > 0
      && RAND_bytes(reinterpret_cast<unsigned char*>(out.data()), static_cast<int>(bytes)) != 1)
    return error{"crypto_error", "the system random generator failed", {}};
  return out;
}

// Wipes a buffer that held key bytes or a plaintext when it goes away.
struct wipe_on_exit {
  void* data;
  std::size_t size;
  ~wipe_on_exit() { OPENSSL_cleanse(data, size); }
};

// Closes a file descriptor when it goes away.
struct fd_guard {
  int fd;
  ~fd_guard() {
    if (fd >= 0)
      ::close(fd);
  }
};

error io_error(const std::string& what, int err) {
  return error{"io_error", what + ": " + std::strerror(err), {}};
}

error unreadable(std::string why) {
  return error{"secret_unreadable", "the secret cannot be read: " + std::move(why), {}};
}

error crypto_failed() {
  return error{"crypto_error", "AES-256-GCM failed in OpenSSL", {}};
}

// The value is never part of a message: only what was expected.
result<key_bytes> key_from_env(std::string_view text) {
  auto expected = std::string(master_key_env)
                  + " must be 64 hex characters (32 bytes, e.g. from "
                    "`openssl rand -hex 32`)";
  if (text.size() != 2 * key_size)
    return error{"invalid_master_key",
                 expected + "; it is set to " + std::to_string(text.size())
                   + " characters", {}};
  key_bytes key;
  for (std::size_t i = 0; i < key_size; ++i) {
    auto high = runtime::hex_digit_value(text[2 * i]);
    auto low = runtime::hex_digit_value(text[2 * i + 1]);
    if (high < 0 || low < 0) {
      OPENSSL_cleanse(key.data(), key.size());
      return error{"invalid_master_key",
                   expected + "; it contains a character that is not hex", {}};
    }
    key[i] = static_cast<unsigned char>(high << 4 | low);
  }
  return key;
}

std::string mode_text(mode_t mode) {
  char text[8];
  std::snprintf(text, sizeof text, "%04o", static_cast<unsigned>(mode & 07777));
  return text;
}

// Reads an existing key file through `fd`, refusing one that others can use.
result<key_bytes> read_key_file(int fd, const std::string& path) {
  struct stat info {};
  if (::fstat(fd, &info) != 0)
    return io_error("cannot stat " + path, errno);
  if (!S_ISREG(info.st_mode))
    return error{"insecure_master_key", path + " is not a regular file", {}};
  if ((info.st_mode & 077) != 0)
    return error{"insecure_master_key",
                 path + " has mode " + mode_text(info.st_mode)
                   + " but must be readable by its owner only (chmod 600 " + path + ")",
                 {}};
  key_bytes key;
  std::size_t got = 0;
  unsigned char extra = 0;  // a 33rd byte, read only to tell a longer file
  while (got <= key_size) {
    auto* into = got < key_size ? key.data() + got : &extra;
    auto n = ::read(fd, into, got < key_size ? key_size - got : 1);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0) {
      OPENSSL_cleanse(key.data(), key.size());
      return io_error("cannot read " + path, errno);
    }
    if (n == 0)
      break;
    got += static_cast<std::size_t>(n);
  }
  OPENSSL_cleanse(&extra, 1);
  if (got != key_size) {
    OPENSSL_cleanse(key.data(), key.size());
    return error{"invalid_master_key",
                 path + " must hold exactly 32 bytes; it holds "
                   + std::to_string(info.st_size), {}};
  }
  return key;
}

// Writes a new key file and links it into place (os/private_file.hpp): a
// reader never sees a partial key, and of two processes starting at once one
// wins and the other reads the winner's key.
result<key_bytes> create_key_file(const std::string& dir, const std::string& path) {
  auto random = random_bytes(key_size);
  if (!random)
    return std::move(random).error();
  key_bytes key;
  std::memcpy(key.data(), random->data(), key_size);
  OPENSSL_cleanse(random->data(), random->size());
  wipe_on_exit wipe_key{key.data(), key.size()};
  std::string problem;
  auto outcome = os::publish_private_file(
    path, std::string_view(reinterpret_cast<const char*>(key.data()), key.size()),
    os::publish_mode::keep_existing, problem);
  if (outcome == os::publish_outcome::failed)
    return error{"io_error", problem, {}};
  if (outcome == os::publish_outcome::already_there) {
    fd_guard winner{::open(path.c_str(), O_RDONLY | O_CLOEXEC)};
    if (winner.fd < 0)
      return io_error("cannot open " + path, errno);
    return read_key_file(winner.fd, path);
  }
  return key;  // copied before wipe_key runs
}

result<key_bytes> key_from_file(const std::string& data_dir) {
  auto path = (std::filesystem::path(data_dir) / master_key_file).string();
  fd_guard file{::open(path.c_str(), O_RDONLY | O_CLOEXEC)};
  if (file.fd >= 0)
    return read_key_file(file.fd, path);
  if (errno != ENOENT)
    return io_error("cannot open " + path, errno);
  std::error_code ec;
  std::filesystem::create_directories(data_dir, ec);
  if (ec)
    return error{"io_error", "cannot create data dir " + data_dir + ": " + ec.message(), {}};
  return create_key_file(data_dir, path);
}

} // namespace

result<secret_box> secret_box::open(const std::string& data_dir) {
  const char* env = std::getenv(std::string(master_key_env).c_str());
  auto key = env != nullptr ? key_from_env(env) : key_from_file(data_dir);
  if (!key)
    return std::move(key).error();
  wipe_on_exit wipe{key->data(), key->size()};
  return secret_box(*key);
}

secret_box::secret_box(secret_box&& other) noexcept : key_(other.key_) {
  OPENSSL_cleanse(other.key_.data(), other.key_.size());
}

secret_box& secret_box::operator=(secret_box&& other) noexcept {
  if (this != &other) {
    key_ = other.key_;
    OPENSSL_cleanse(other.key_.data(), other.key_.size());
  }
  return *this;
}

secret_box::~secret_box() { OPENSSL_cleanse(key_.data(), key_.size()); }

result<std::string> secret_box::seal(std::string_view plaintext) const {
  if (plaintext.size() > static_cast<std::size_t>(INT_MAX) - nonce_size - tag_size)
    return error{"invalid_secret", "the secret is too large to seal", {}};
  auto nonce = random_bytes(nonce_size);
  if (!nonce)
    return std::move(nonce).error();

  std::string sealed(nonce_size + plaintext.size() + tag_size, '\0');
  auto* out = reinterpret_cast<unsigned char*>(sealed.data());
  std::memcpy(out, nonce->data(), nonce_size);
  cipher_ctx ctx(EVP_CIPHER_CTX_new());
  int length = 0;
  int final_length = 0;
  if (!ctx
      || EVP_EncryptInit_ex2(ctx.get(), EVP_aes_256_gcm(), key_.data(), out, nullptr) != 1
      || EVP_EncryptUpdate(ctx.get(), nullptr, &length,
                           reinterpret_cast<const unsigned char*>(version_prefix.data()),
                           static_cast<int>(version_prefix.size())) != 1
      || (!plaintext.empty()
          && EVP_EncryptUpdate(ctx.get(), out + nonce_size, &length,
                               reinterpret_cast<const unsigned char*>(plaintext.data()),
                               static_cast<int>(plaintext.size())) != 1)
      || EVP_EncryptFinal_ex(ctx.get(), out + nonce_size + plaintext.size(),
                             &final_length) != 1
      || EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_AEAD_GET_TAG, static_cast<int>(tag_size),
                             out + nonce_size + plaintext.size()) != 1)
    return crypto_failed();
  return std::string(version_prefix) + runtime::base64_encode(sealed);
}

result<std::string> secret_box::unseal(std::string_view sealed) const {
  if (!sealed.starts_with(version_prefix))
    return unreadable("it is not a sealed value of a known version");
  auto bytes = runtime::base64_decode(sealed.substr(version_prefix.size()));
  if (!bytes || bytes->size() < nonce_size + tag_size)
    return unreadable("it is not a well-formed sealed value");

  auto* in = reinterpret_cast<unsigned char*>(bytes->data());
  auto text_size = bytes->size() - nonce_size - tag_size;
  std::string plaintext(text_size, '\0');
  auto* out = reinterpret_cast<unsigned char*>(plaintext.data());
  cipher_ctx ctx(EVP_CIPHER_CTX_new());
  if (!ctx)
    return crypto_failed();
  int length = 0;
  int final_length = 0;
  bool opened =
    EVP_DecryptInit_ex2(ctx.get(), EVP_aes_256_gcm(), key_.data(), in, nullptr) == 1
    && EVP_DecryptUpdate(ctx.get(), nullptr, &length,
                         reinterpret_cast<const unsigned char*>(version_prefix.data()),
                         static_cast<int>(version_prefix.size())) == 1
    && (text_size == 0
        || EVP_DecryptUpdate(ctx.get(), out, &length, in + nonce_size,
                             static_cast<int>(text_size)) == 1)
    && EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_AEAD_SET_TAG, static_cast<int>(tag_size),
                           in + nonce_size + text_size) == 1
    && EVP_DecryptFinal_ex(ctx.get(), out + text_size, &final_length) == 1;
  if (!opened) {
    OPENSSL_cleanse(plaintext.data(), plaintext.size());
    return unreadable("wrong master key, or the value was altered");
  }
  return plaintext;
}

} // namespace baley::storage
