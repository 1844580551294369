// Tests for sandbox/jq_frames: requests and replies survive the wire byte for
// byte, whatever the split of the bytes; malformed and oversized frames are
// refused; a reply's outputs parse back.
#include "sandbox/jq_frames.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>

namespace baley::sandbox {
namespace {

std::string payload_of(const std::string& frame) {
  frame_reader reader;
  reader.append(frame);
  auto next = reader.next();
  EXPECT_TRUE(next && *next);
  EXPECT_TRUE(reader.empty());
  return next && *next ? **next : std::string();
}

TEST(jq_frames, a_request_round_trips) {
  jq_request request{"{a: .x}", R"({"x":[1,"\u0000",{}]})", 1234};
  auto decoded = decode_request(payload_of(encode_request(request)));
  ASSERT_TRUE(decoded) << decoded.error().message;
  EXPECT_EQ(decoded->program, request.program);
  EXPECT_EQ(decoded->input_json, request.input_json);
  EXPECT_EQ(decoded->timeout_ms, 1234u);
}

TEST(jq_frames, replies_round_trip) {
  for (const auto& reply : {jq_reply{true, "", "[1,2]"},
                            jq_reply{false, "limit_exceeded", "over budget"},
                            jq_reply{false, "", ""}}) {
    auto decoded = decode_reply(payload_of(encode_reply(reply)));
    ASSERT_TRUE(decoded) << decoded.error().message;
    EXPECT_EQ(decoded->ok, reply.ok);
    EXPECT_EQ(decoded->code, reply.code);
    EXPECT_EQ(decoded->text, reply.text);
  }
}

TEST(jq_frames, frames_come_out_whole_whatever_the_split) {
  auto bytes = encode_reply({true, "", "[\"first\"]"}) + encode_reply({false, "jq_error", "x"});
  for (std::size_t cut = 0; cut <= bytes.size(); ++cut) {
    frame_reader reader;
    std::vector<std::string> payloads;
    for (auto part : {bytes.substr(0, cut), bytes.substr(cut)}) {
      reader.append(part);
      while (auto next = reader.next()) {
        ASSERT_TRUE(next);
        if (!*next)
          break;
        payloads.push_back(**next);
      }
    }
    ASSERT_EQ(payloads.size(), 2u) << "cut at " << cut;
    EXPECT_EQ(decode_reply(payloads[0])->text, "[\"first\"]");
    EXPECT_EQ(decode_reply(payloads[1])->code, "jq_error");
  }
}

TEST(jq_frames, an_oversized_frame_is_refused) {
  frame_reader reader;
  std::string prefix(4, '\0');
  std::uint32_t length = static_cast<std::uint32_t>(max_frame_bytes) + 1;
  for (int i = 0; i < 4; ++i)
    prefix[i] = static_cast<char>((length >> (8 * i)) & 0xFF);
  reader.append(prefix);
  auto next = reader.next();
  ASSERT_FALSE(next);
  EXPECT_EQ(next.error().code, "invalid_frame");
}

TEST(jq_frames, malformed_payloads_are_refused) {
  EXPECT_FALSE(decode_request("abc"));
  EXPECT_FALSE(decode_request(std::string("\0\0\0\0\xff\0\0\0x", 9)));
  EXPECT_FALSE(decode_reply(""));
  EXPECT_FALSE(decode_reply("\x02"));
  EXPECT_FALSE(decode_reply(std::string("\1\x09\0\0\0ab", 8))) << "code longer than the payload";
}

TEST(jq_frames, outputs_of_a_reply) {
  auto ok = outputs_of({true, "", R"([1,{"a":"b"},null])"});
  ASSERT_TRUE(ok);
  ASSERT_EQ(ok->size(), 3u);
  EXPECT_EQ((*ok)[1], (boost::json::object{{"a", "b"}}));
  auto failed = outputs_of({false, "limit_exceeded", "over"});
  ASSERT_FALSE(failed);
  EXPECT_EQ(failed.error().code, "limit_exceeded");
  EXPECT_EQ(failed.error().message, "over");
  EXPECT_FALSE(outputs_of({true, "", "{}"})) << "outputs are an array";
}

} // namespace
} // namespace baley::sandbox
