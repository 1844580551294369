// Tests of base64: RFC 4648 §10 vectors in both alphabets, and strict
// decoding that accepts exactly what the encoder produces.
#include "runtime/base64.hpp"

#include <gtest/gtest.h>

namespace baley::runtime {
namespace {

// The URL-safe text read back through the standard decoder: its two
// characters swapped and its padding restored (tokens are never decoded in
// production; this is the test's own check of the encoder).
std::optional<std::string> base64url_decode(std::string text) {
  if (text.find_first_of("+/=") != std::string::npos)
    return std::nullopt;
  for (auto& c : text)
    c = c == '-' ? '+' : c == '_' ? '/' : c;
  text.append((4 - text.size() % 4) % 4, '=');
  return base64_decode(text);
}

TEST(base64, encodes_the_rfc_4648_vectors) {
  std::vector<std::pair<std::string, std::string>> vectors{
    {"", ""},         {"f", "Zg=="},         {"fo", "Zm8="},     {"foo", "Zm9v"},
    {"foob", "Zm9vYg=="}, {"fooba", "Zm9vYmE="}, {"foobar", "Zm9vYmFy"}};
  for (auto& [plain, encoded] : vectors) {
    EXPECT_EQ(base64_encode(plain), encoded);
    EXPECT_EQ(base64_decode(encoded), plain);
    auto unpadded = encoded.substr(0, encoded.find('='));
    EXPECT_EQ(base64url_encode(plain), unpadded);
    EXPECT_EQ(base64url_decode(unpadded), plain);
  }
}

TEST(base64, the_two_alphabets_differ_in_two_characters) {
  std::string bytes("\xfb\xff\xbf", 3);
  EXPECT_EQ(base64_encode(bytes), "+/+/");
  EXPECT_EQ(base64url_encode(bytes), "-_-_");
  EXPECT_EQ(base64_decode("+/+/"), bytes);
  EXPECT_EQ(base64url_decode("-_-_"), bytes);
  EXPECT_FALSE(base64_decode("-_-_"));
  EXPECT_FALSE(base64url_decode("+/+/"));
}

TEST(base64, round_trips_every_byte) {
  std::string all;
  for (int i = 0; i < 256; ++i)
    all.push_back(static_cast<char>(i));
  for (std::size_t n = 0; n <= all.size(); n += 37) {
    auto part = all.substr(all.size() - n);
    EXPECT_EQ(base64_decode(base64_encode(part)), part);
    EXPECT_EQ(base64url_decode(base64url_encode(part)), part);
  }
}

TEST(base64, decoding_rejects_what_the_encoder_never_writes) {
  for (auto text : {"Zg", "Zg=", "Zg===", "Z===", "Zh==", "Zm9=", "Zm8=Zm8=",
                    "Zm9v\n", " Zm9v", "Zm9v=", "Zm*v", "Z"})
    EXPECT_FALSE(base64_decode(text)) << text;
  for (auto text : {"Zg==", "Zh", "Zm9", "Z", "Zm9v=", "Zm 9v"})
    EXPECT_FALSE(base64url_decode(text)) << text;
}

} // namespace
} // namespace baley::runtime
