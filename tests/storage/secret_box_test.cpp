// Tests of secret_box: round trips, tampering and a wrong key answer
// "secret_unreadable", the master key from BALEY_MASTER_KEY or a 0600 key file
// that is refused once others can read it, and no secret in any message.
#include "storage/secret_box.hpp"

#include "runtime/base64.hpp"
#include "temp_dir.hpp"

#include <gtest/gtest.h>

#include <sys/stat.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

namespace baley::storage {
namespace {

using testing::temp_dir;

constexpr const char* env_name = "BALEY_MASTER_KEY";
const std::string env_key =
  "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";

// Unsets BALEY_MASTER_KEY for the test (or sets it), restoring it after.
class master_key_env {
public:
  explicit master_key_env(const char* value = nullptr) {
    if (const char* old = std::getenv(env_name))
      saved_ = old;
    set(value);
  }
  ~master_key_env() { set(saved_ ? saved_->c_str() : nullptr); }
  static void set(const char* value) {
    if (value)
      ::setenv(env_name, value, 1);
    else
      ::unsetenv(env_name);
  }

private:
  std::optional<std::string> saved_;
};

std::string key_path(const temp_dir& dir) { return dir.path() + "/master.key"; }

mode_t mode_of(const std::string& path) {
  struct stat info {};
  EXPECT_EQ(::stat(path.c_str(), &info), 0);
  return info.st_mode & 07777;
}

secret_box open_box(const std::string& dir) {
  auto box = secret_box::open(dir);
  EXPECT_TRUE(box) << (box ? "" : box.error().message);
  return std::move(box).value();
}

TEST(secret_box, seals_and_unseals) {
  master_key_env no_env;
  temp_dir dir;
  auto box = open_box(dir.path());
  for (std::string plain : {std::string("sk-live-abc123"), std::string(),
                            std::string("a\0b\xff", 4), std::string(10000, 'x')}) {
    auto sealed = box.seal(plain);
    ASSERT_TRUE(sealed);
    EXPECT_TRUE(sealed->starts_with("v1:"));
    EXPECT_EQ(runtime::base64_decode(sealed->substr(3))->size(), 12 + plain.size() + 16);
    if (!plain.empty()) {
      EXPECT_EQ(sealed->find(plain), std::string::npos);
    }
    EXPECT_EQ(box.unseal(*sealed).value(), plain);
  }
  // A fresh nonce each time: equal secrets do not give equal sealed text.
  EXPECT_NE(box.seal("same").value(), box.seal("same").value());
}

TEST(secret_box, creates_a_0600_key_file_once_and_reuses_it) {
  master_key_env no_env;
  temp_dir dir;
  auto data = dir.path() + "/nested/data";
  auto old_umask = ::umask(0);  // even a permissive umask gives 0600
  auto first = secret_box::open(data);
  ::umask(old_umask);
  ASSERT_TRUE(first) << first.error().message;
  auto path = data + "/master.key";
  EXPECT_EQ(mode_of(path), 0600u);
  EXPECT_EQ(std::filesystem::file_size(path), 32u);
  auto sealed = first->seal("webhook-secret").value();

  auto second = open_box(data);
  EXPECT_EQ(second.unseal(sealed).value(), "webhook-secret");
  EXPECT_EQ(mode_of(path), 0600u);
  // No temporary file is left next to it.
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(data),
                          std::filesystem::directory_iterator()), 1);
}

TEST(secret_box, refuses_a_key_file_others_can_read) {
  master_key_env no_env;
  temp_dir dir;
  auto sealed = open_box(dir.path()).seal("x").value();
  for (mode_t mode : {0644, 0640, 0604, 0620, 0602}) {
    ASSERT_EQ(::chmod(key_path(dir).c_str(), mode), 0);
    auto refused = secret_box::open(dir.path());
    ASSERT_FALSE(refused) << std::oct << mode;
    EXPECT_EQ(refused.error().code, "insecure_master_key");
    EXPECT_NE(refused.error().message.find(key_path(dir)), std::string::npos);
    EXPECT_NE(refused.error().message.find("chmod 600"), std::string::npos);
  }
  ASSERT_EQ(::chmod(key_path(dir).c_str(), 0644), 0);
  EXPECT_NE(secret_box::open(dir.path()).error().message.find("0644"), std::string::npos);
  ASSERT_EQ(::chmod(key_path(dir).c_str(), 0400), 0);
  EXPECT_EQ(open_box(dir.path()).unseal(sealed).value(), "x");
}

TEST(secret_box, refuses_a_key_file_of_the_wrong_size_or_kind) {
  master_key_env no_env;
  temp_dir dir;
  for (std::size_t size : {0, 31, 33, 64}) {
    std::filesystem::remove(key_path(dir));
    std::ofstream(key_path(dir)) << std::string(size, 'k');
    ASSERT_EQ(::chmod(key_path(dir).c_str(), 0600), 0);
    auto refused = secret_box::open(dir.path());
    ASSERT_FALSE(refused) << size;
    EXPECT_EQ(refused.error().code, "invalid_master_key");
    EXPECT_EQ(refused.error().message.find("kkk"), std::string::npos);
  }
  std::filesystem::remove(key_path(dir));
  std::filesystem::create_directory(key_path(dir));
  ::chmod(key_path(dir).c_str(), 0700);
  EXPECT_EQ(secret_box::open(dir.path()).error().code, "insecure_master_key");
}

TEST(secret_box, a_tampered_value_is_unreadable) {
  master_key_env no_env;
  temp_dir dir;
  auto box = open_box(dir.path());
  auto sealed = box.seal("sk-live-abc123").value();
  auto bytes = runtime::base64_decode(sealed.substr(3)).value();
  // One flipped bit in the nonce, the ciphertext, or the tag.
  for (std::size_t at : {std::size_t{0}, std::size_t{11}, std::size_t{12},
                         std::size_t{12 + 13}, bytes.size() - 16, bytes.size() - 1}) {
    auto altered = bytes;
    altered[at] = static_cast<char>(altered[at] ^ 0x01);
    auto opened = box.unseal("v1:" + runtime::base64_encode(altered));
    ASSERT_FALSE(opened) << at;
    EXPECT_EQ(opened.error().code, "secret_unreadable");
    EXPECT_EQ(opened.error().message.find("sk-live"), std::string::npos);
  }
  auto tail_cut = "v1:" + runtime::base64_encode(bytes.substr(0, bytes.size() - 1));
  auto short_value = "v1:" + runtime::base64_encode(bytes.substr(0, 27));
  for (std::string text : {tail_cut, short_value, std::string("v1:"),
                           std::string("v1:!!!!"), std::string("v2:") + sealed.substr(3),
                           sealed.substr(3), std::string("sk-live-abc123"), std::string()}) {
    auto opened = box.unseal(text);
    ASSERT_FALSE(opened) << text;
    EXPECT_EQ(opened.error().code, "secret_unreadable");
    if (!text.empty()) {
      EXPECT_EQ(opened.error().message.find(text), std::string::npos);
    }
  }
  EXPECT_EQ(box.unseal(sealed).value(), "sk-live-abc123");
}

TEST(secret_box, another_key_cannot_unseal) {
  master_key_env no_env;
  temp_dir one, two;
  auto sealed = open_box(one.path()).seal("sk-live-abc123").value();
  auto opened = open_box(two.path()).unseal(sealed);
  ASSERT_FALSE(opened);
  EXPECT_EQ(opened.error().code, "secret_unreadable");
  EXPECT_EQ(opened.error().message.find("sk-live"), std::string::npos);
}

TEST(secret_box, takes_the_key_from_the_environment_first) {
  temp_dir one, two, three;
  std::string sealed;
  {
    master_key_env env(env_key.c_str());
    sealed = open_box(one.path()).seal("from-env").value();
    EXPECT_FALSE(std::filesystem::exists(key_path(one)));  // dir untouched
    EXPECT_EQ(open_box(two.path()).unseal(sealed).value(), "from-env");
  }
  {
    std::string upper = env_key;
    for (auto& c : upper)
      c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    master_key_env env(upper.c_str());
    EXPECT_EQ(open_box(three.path()).unseal(sealed).value(), "from-env");
  }
  master_key_env no_env;
  auto file_box = open_box(one.path());  // now a key file is made
  EXPECT_TRUE(std::filesystem::exists(key_path(one)));
  EXPECT_EQ(file_box.unseal(sealed).error().code, "secret_unreadable");
}

TEST(secret_box, an_invalid_environment_key_is_refused_without_echoing_it) {
  temp_dir dir;
  auto bad_hex = env_key.substr(0, 62) + "zq";
  for (std::string value : {env_key.substr(0, 63), env_key + "0", bad_hex,
                            std::string(), std::string("correct horse battery staple")}) {
    master_key_env env(value.c_str());
    auto refused = secret_box::open(dir.path());
    ASSERT_FALSE(refused) << value;
    EXPECT_EQ(refused.error().code, "invalid_master_key");
    EXPECT_NE(refused.error().message.find("BALEY_MASTER_KEY"), std::string::npos);
    EXPECT_NE(refused.error().message.find("64 hex"), std::string::npos);
    if (!value.empty()) {
      EXPECT_EQ(refused.error().message.find(value), std::string::npos) << value;
    }
    EXPECT_EQ(refused.error().message.find("0011223344"), std::string::npos);
    EXPECT_FALSE(std::filesystem::exists(key_path(dir)));
  }
}

TEST(secret_box, a_moved_box_keeps_working) {
  master_key_env env(env_key.c_str());
  temp_dir dir;
  auto box = open_box(dir.path());
  auto sealed = box.seal("s").value();
  secret_box moved(std::move(box));
  EXPECT_EQ(moved.unseal(sealed).value(), "s");
}

} // namespace
} // namespace baley::storage
