// Frames of the jq worker wire; see jq_frames.hpp.
#include "sandbox/jq_frames.hpp"

#include "runtime/json_text.hpp"

namespace baley::sandbox {
namespace {

void put_u32(std::string& out, std::uint32_t v) {
  for (int i = 0; i < 4; ++i)
    out.push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
}

std::uint32_t get_u32(std::string_view bytes) {
  std::uint32_t v = 0;
  for (int i = 0; i < 4; ++i)
    v |= static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[i])) << (8 * i);
  return v;
}

// A frame whose payload is written by `fill` after the length prefix.
template <class Fill>
std::string framed(std::size_t size_hint, Fill fill) {
  std::string out;
  out.reserve(4 + size_hint);
  put_u32(out, 0);
  fill(out);
  auto length = static_cast<std::uint32_t>(out.size() - 4);
  for (int i = 0; i < 4; ++i)
    out[i] = static_cast<char>((length >> (8 * i)) & 0xFF);
  return out;
}

baley::error invalid(std::string what) {
  return {"invalid_frame", "jq worker frame: " + std::move(what), {}};
}

// Reads a u32-length-prefixed string from `payload` at `at`.
std::optional<std::string_view> take_string(std::string_view payload, std::size_t& at) {
  if (payload.size() - at < 4)
    return std::nullopt;
  auto length = get_u32(payload.substr(at));
  at += 4;
  if (payload.size() - at < length)
    return std::nullopt;
  auto out = payload.substr(at, length);
  at += length;
  return out;
}

} // namespace

std::string encode_request(const jq_request& r) {
  return framed(12 + r.program.size() + r.input_json.size(), [&](std::string& out) {
    put_u32(out, r.timeout_ms);
    put_u32(out, static_cast<std::uint32_t>(r.program.size()));
    out += r.program;
    out += r.input_json;
  });
}

std::string encode_reply(const jq_reply& r) {
  return framed(9 + r.code.size() + r.text.size(), [&](std::string& out) {
    out.push_back(r.ok ? '\1' : '\0');
    put_u32(out, static_cast<std::uint32_t>(r.code.size()));
    out += r.code;
    out += r.text;
  });
}

result<jq_request> decode_request(std::string_view payload) {
  if (payload.size() < 4)
    return invalid("request too short");
  jq_request r;
  r.timeout_ms = get_u32(payload);
  std::size_t at = 4;
  auto program = take_string(payload, at);
  if (!program)
    return invalid("request program cut short");
  r.program = std::string(*program);
  r.input_json = std::string(payload.substr(at));
  return r;
}

result<jq_reply> decode_reply(std::string_view payload) {
  if (payload.empty() || (payload[0] != '\0' && payload[0] != '\1'))
    return invalid("reply without a status");
  jq_reply r;
  r.ok = payload[0] == '\1';
  std::size_t at = 1;
  auto code = take_string(payload, at);
  if (!code)
    return invalid("reply code cut short");
  r.code = std::string(*code);
  r.text = std::string(payload.substr(at));
  return r;
}

result<std::vector<boost::json::value>> outputs_of(const jq_reply& reply) {
  if (!reply.ok)
    return baley::error{reply.code, reply.text, {}};
  boost::system::error_code ec;
  auto value = runtime::parse_stored_json(reply.text, ec);
  if (ec || !value.is_array())
    return invalid("the outputs are not a JSON array");
  auto& array = value.get_array();
  return std::vector<boost::json::value>(std::make_move_iterator(array.begin()),
                                         std::make_move_iterator(array.end()));
}

result<std::optional<std::string>> frame_reader::next() {
  if (buffer_.size() < 4)
    return std::optional<std::string>();
  auto length = get_u32(buffer_);
  if (length > max_frame_bytes)
    return invalid("a frame of " + std::to_string(length) + " bytes is over the limit");
  if (buffer_.size() - 4 < length)
    return std::optional<std::string>();
  std::string payload = buffer_.substr(4, length);
  buffer_.erase(0, 4 + std::size_t(length));
  return std::optional<std::string>(std::move(payload));
}

} // namespace baley::sandbox
