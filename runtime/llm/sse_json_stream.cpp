// What the LLM stream decoders share: SSE framing, JSON data parsed without
// throwing, one terminal update, and the cut when the body ends first.
#include "runtime/llm/sse_json_stream.hpp"

#include "runtime/json_text.hpp"

#include <array>
#include <utility>

namespace baley::runtime {

std::vector<llm_update> sse_json_stream::feed(std::string_view bytes) {
  if (ended_)
    return {};
  for (const auto& message : lines_.feed(bytes)) {
    on_message(message);
    if (ended_)
      break;
  }
  if (!ended_ && lines_.pending_bytes() > max_llm_message_bytes)
    fail("message_too_large", "the provider sent a stream message over " +
                                  std::to_string(max_llm_message_bytes >> 20) + " MiB", false);
  return std::exchange(out_, {});
}

std::vector<llm_update> sse_json_stream::finish() {
  if (!ended_) {
    if (auto reason = on_body_end())
      end(std::move(*reason));
    else
      fail("stream_cut", "stream cut: the response body ended before the end of the stream", true);
  }
  return std::exchange(out_, {});
}

void sse_json_stream::emit(llm_update update) {
  if (!ended_)
    out_.push_back(std::move(update));
}

void sse_json_stream::end(std::string finish_reason) {
  emit(stream_end{std::move(finish_reason)});
  ended_ = true;
}

void sse_json_stream::fail(std::string type, std::string message, bool retryable) {
  emit(stream_failure{std::move(type), std::move(message), retryable});
  ended_ = true;
}

std::optional<boost::json::object> sse_json_stream::parse_object(std::string_view data) {
  auto parsed = parse_json(data);
  if (!parsed) {
    fail("invalid_json", "the provider sent " + parsed.error().message, false);
    return std::nullopt;
  }
  if (!parsed->is_object()) {
    fail("invalid_json", "the provider sent JSON that is not an object", false);
    return std::nullopt;
  }
  return std::move(parsed->get_object());
}

bool retryable_error_type(std::string_view type) {
  static constexpr std::array<std::string_view, 11> passing = {
      "overloaded_error",  "api_error",         "rate_limit_error",   "rate_limit_exceeded",
      "server_error",      "internal_error",    "timeout_error",      "service_unavailable",
      "unavailable_error", "overloaded",        "internal_server_error"};
  for (auto t : passing)
    if (t == type)
      return true;
  return false;
}

} // namespace baley::runtime
