// The wire between the server and a jq worker process: length-prefixed
// frames (u32 little-endian length, then the payload) carrying one request
// (program, input, time budget) or one reply (the outputs as a JSON array, or
// an error code and message). Pure encoding and decoding.
#pragma once

#include "runtime/result.hpp"

#include <boost/json/value.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace baley::sandbox {

// A frame larger than this is refused by both sides: an evaluation whose
// outputs are larger is over its memory budget.
inline constexpr std::size_t max_frame_bytes = 64u << 20;

struct jq_request {
  std::string program;     // jq program text
  std::string input_json;  // the input, serialized
  std::uint32_t timeout_ms = 0;
};

struct jq_reply {
  bool ok = true;
  std::string code;  // !ok: "jq_error", "jq_error_retryable", "limit_exceeded", ...
  std::string text;  // ok: the outputs as one JSON array; else the message
};

// Whole frames, length prefix included.
std::string encode_request(const jq_request& request);
std::string encode_reply(const jq_reply& reply);

// Payloads (without the length prefix); "invalid_frame" when malformed.
result<jq_request> decode_request(std::string_view payload);
result<jq_reply> decode_reply(std::string_view payload);

// A reply's outputs, parsed from its JSON array; or its error, with its code.
result<std::vector<boost::json::value>> outputs_of(const jq_reply& reply);

// Collects bytes as they arrive and yields whole payloads in order.
class frame_reader {
public:
  void append(std::string_view bytes) { buffer_.append(bytes); }
  // The next whole payload; "invalid_frame" when a frame announces more than
  // max_frame_bytes (the stream cannot be trusted after that).
  result<std::optional<std::string>> next();
  bool empty() const { return buffer_.empty(); }

private:
  std::string buffer_;
};

} // namespace baley::sandbox
