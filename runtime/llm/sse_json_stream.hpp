// What the LLM stream decoders share: SSE framing, JSON data parsed without
// throwing, exactly one terminal update (stream_end or stream_failure) after
// which the rest of the body is ignored, and the cut when the body ends first.
#pragma once

#include "runtime/llm/llm_stream.hpp"
#include "runtime/llm/sse_lines.hpp"

#include <boost/json/object.hpp>

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace baley::runtime {

// One SSE message of an LLM stream is a chunk of a few hundred bytes; one
// larger than this fails the stream rather than grow without end.
inline constexpr std::size_t max_llm_message_bytes = 8 << 20;

class sse_json_stream : public llm_stream_decoder {
public:
  std::vector<llm_update> feed(std::string_view bytes) final;
  std::vector<llm_update> finish() final;

protected:
  // One SSE message of a stream that has not ended yet.
  virtual void on_message(const sse_message& message) = 0;
  // The body ended before a terminal update: return the finish reason to end
  // with when the wire's own end can be taken as seen, or nullopt for a cut.
  virtual std::optional<std::string> on_body_end() { return std::nullopt; }

  void emit(llm_update update);
  void end(std::string finish_reason);
  void fail(std::string type, std::string message, bool retryable);
  // `data` as a JSON object; anything else fails the stream (not retryable)
  // and gives nullopt.
  std::optional<boost::json::object> parse_object(std::string_view data);

private:
  sse_lines lines_;
  std::vector<llm_update> out_;
  bool ended_ = false;
};

// Whether a provider's error type (or code) names a passing condition worth
// a retry: overload, rate limit, server error, timeout.
bool retryable_error_type(std::string_view type);

std::unique_ptr<llm_stream_decoder> make_openai_stream_decoder();
std::unique_ptr<llm_stream_decoder> make_anthropic_stream_decoder();

} // namespace baley::runtime
