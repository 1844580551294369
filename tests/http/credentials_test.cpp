// Tests of the credential helpers: SHA-256 vectors (FIPS 180-2), constant-
// time equality, random tokens as unpadded base64url.
#include "http/credentials.hpp"

#include <gtest/gtest.h>

#include <set>

namespace baley::http {
namespace {

TEST(credentials, sha256_hex_matches_the_standard_vectors) {
  EXPECT_EQ(sha256_hex(""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(sha256_hex("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  EXPECT_EQ(sha256_hex(std::string(1000000, 'a')),
            "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
  // Bytes, not C strings: an embedded NUL is hashed.
  EXPECT_NE(sha256_hex(std::string("a\0b", 3)), sha256_hex("a"));
}

TEST(credentials, constant_time_equal_compares_whole_byte_strings) {
  EXPECT_TRUE(constant_time_equal("", ""));
  EXPECT_TRUE(constant_time_equal("secret", "secret"));
  EXPECT_TRUE(constant_time_equal(std::string("a\0b", 3), std::string("a\0b", 3)));
  EXPECT_FALSE(constant_time_equal("secret", "secreT"));
  EXPECT_FALSE(constant_time_equal("secret", "Secret"));
  EXPECT_FALSE(constant_time_equal(std::string("a\0b", 3), std::string("a\0c", 3)));
  // Different lengths, including a prefix of the other and the empty string.
  EXPECT_FALSE(constant_time_equal("secret", "secre"));
  EXPECT_FALSE(constant_time_equal("secre", "secret"));
  EXPECT_FALSE(constant_time_equal("", "x"));
  EXPECT_FALSE(constant_time_equal("a", std::string("a\0", 2)));
}

TEST(credentials, random_tokens_are_unpadded_base64url_of_fresh_bytes) {
  std::set<std::string> seen;
  for (int i = 0; i < 100; ++i) {
    auto token = random_token(32);
    ASSERT_TRUE(token) << token.error().message;
    EXPECT_EQ(token->size(), 43u);
    EXPECT_EQ(token->find_first_not_of(
                "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"),
              std::string::npos) << *token;
    seen.insert(*token);
  }
  EXPECT_EQ(seen.size(), 100u);
  EXPECT_EQ(random_token(0).value(), "");
  EXPECT_EQ(random_token(1)->size(), 2u);
  EXPECT_EQ(random_token(2)->size(), 3u);
  EXPECT_EQ(random_token(3)->size(), 4u);
}

} // namespace
} // namespace baley::http
