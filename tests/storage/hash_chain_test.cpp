// Tests of the hash chain: SHA-256 test vectors and prev ‖ event chaining.
#include "storage/hash_chain.hpp"

#include <gtest/gtest.h>

namespace baley::storage {
namespace {

TEST(hash_chain, genesis_is_64_zeros) {
  EXPECT_EQ(genesis_hash(), std::string(64, '0'));
}

TEST(hash_chain, is_sha256_of_prev_then_event) {
  // FIPS 180-2 test vector: SHA-256("abc").
  const std::string abc = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
  EXPECT_EQ(chain_hash("", "abc"), abc);
  EXPECT_EQ(chain_hash("a", "bc"), abc);
  EXPECT_EQ(chain_hash("ab", "c"), abc);
  EXPECT_EQ(chain_hash("", ""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST(hash_chain, reused_hasher_matches_one_shot) {
  chain_hasher hasher;
  std::string prev(genesis_hash());
  for (int i = 0; i < 3; ++i) {
    std::string event = "{\"i\":" + std::to_string(i) + "}";
    hash_hex out;
    ASSERT_TRUE(hasher.hash(prev, event, out));
    std::string hex(out.data(), out.size());
    EXPECT_EQ(hex, chain_hash(prev, event));
    EXPECT_NE(hex, prev);
    prev = hex;
  }
}

} // namespace
} // namespace baley::storage
