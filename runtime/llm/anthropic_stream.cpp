// Decoder for Anthropic Messages streams: message_start (input tokens),
// content blocks (text deltas; tool_use input as partial JSON), message_delta
// (stop reason, output tokens), message_stop, and in-stream errors.
#include "runtime/llm/sse_json_stream.hpp"

#include <boost/json/value.hpp>

#include <cstdint>
#include <map>
#include <string>
#include <utility>

namespace baley::runtime {
namespace {

namespace json = boost::json;

std::string string_at(const json::object& o, std::string_view key) {
  auto* v = o.if_contains(key);
  return v && v->is_string() ? std::string(v->get_string()) : std::string();
}

std::optional<std::int64_t> integer_at(const json::object& o, std::string_view key) {
  auto* v = o.if_contains(key);
  if (v && v->is_int64())
    return v->get_int64();
  if (v && v->is_uint64())
    return static_cast<std::int64_t>(v->get_uint64());
  return std::nullopt;
}

const json::object* object_at(const json::object& o, std::string_view key) {
  auto* v = o.if_contains(key);
  return v && v->is_object() ? &v->get_object() : nullptr;
}

const json::object empty_object;

const json::object& object_or_empty(const json::object& o, std::string_view key) {
  auto* found = object_at(o, key);
  return found ? *found : empty_object;
}

class anthropic_stream final : public sse_json_stream {
  void on_message(const sse_message& message) override {
    auto data = parse_object(message.data);
    if (!data)
      return;
    // The data's own "type" names the event too, and survives proxies that
    // drop the `event:` line.
    auto type = string_at(*data, "type");
    if (type.empty())
      type = message.event;
    if (type == "message_start")
      on_message_start(object_or_empty(*data, "message"));
    else if (type == "content_block_start")
      on_block_start(block_index(*data), object_or_empty(*data, "content_block"));
    else if (type == "content_block_delta")
      on_block_delta(block_index(*data), object_or_empty(*data, "delta"));
    else if (type == "content_block_stop")
      on_block_stop(block_index(*data));
    else if (type == "message_delta")
      on_message_delta(*data);
    else if (type == "message_stop")
      end(stop_reason_);
    else if (type == "error")
      on_error(object_or_empty(*data, "error"));
    // "ping" and event types added later are ignored, as the API asks.
  }

  std::optional<std::string> on_body_end() override {
    if (stop_reason_.empty())
      return std::nullopt;
    return stop_reason_;
  }

  static std::int64_t block_index(const json::object& data) {
    return integer_at(data, "index").value_or(0);
  }

  void on_message_start(const json::object& message) {
    input_tokens_ = integer_at(object_or_empty(message, "usage"), "input_tokens").value_or(0);
  }

  void on_block_start(std::int64_t index, const json::object& block) {
    const auto type = string_at(block, "type");
    if (type == "tool_use") {
      tool_blocks_[index] = tool_call{string_at(block, "id"), string_at(block, "name"), {}};
    } else if (type == "text") {
      if (auto text = string_at(block, "text"); !text.empty())
        emit(text_delta{std::move(text)});
    }
  }

  void on_block_delta(std::int64_t index, const json::object& delta) {
    const auto type = string_at(delta, "type");
    if (type == "text_delta") {
      if (auto text = string_at(delta, "text"); !text.empty())
        emit(text_delta{std::move(text)});
    } else if (type == "input_json_delta") {
      if (auto it = tool_blocks_.find(index); it != tool_blocks_.end())
        it->second.arguments += string_at(delta, "partial_json");
    }
    // thinking_delta, signature_delta and others carry no answer text.
  }

  void on_block_stop(std::int64_t index) {
    auto it = tool_blocks_.find(index);
    if (it == tool_blocks_.end())
      return;
    auto call = std::move(it->second);
    tool_blocks_.erase(it);
    if (call.arguments.empty())  // a tool without input sends no fragment
      call.arguments = "{}";
    emit(std::move(call));
  }

  // Usage here is cumulative; newer API versions repeat input_tokens in it.
  void on_message_delta(const json::object& data) {
    if (auto reason = string_at(object_or_empty(data, "delta"), "stop_reason"); !reason.empty())
      stop_reason_ = std::move(reason);
    auto* usage = object_at(data, "usage");
    if (!usage)
      return;
    input_tokens_ = integer_at(*usage, "input_tokens").value_or(input_tokens_);
    emit(token_usage{input_tokens_, integer_at(*usage, "output_tokens").value_or(0)});
  }

  // {"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}
  void on_error(const json::object& e) {
    auto type = string_at(e, "type");
    const bool retryable = retryable_error_type(type);
    fail(type.empty() ? "error" : std::move(type), string_at(e, "message"), retryable);
  }

  std::int64_t input_tokens_ = 0;
  std::string stop_reason_;
  std::map<std::int64_t, tool_call> tool_blocks_;  // open tool_use blocks by index
};

} // namespace

std::unique_ptr<llm_stream_decoder> make_anthropic_stream_decoder() {
  return std::make_unique<anthropic_stream>();
}

} // namespace baley::runtime
