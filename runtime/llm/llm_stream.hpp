// What an LLM provider's stream says, decoded: text deltas, tool calls,
// usage, the end, or an error, whatever the wire format (OpenAI-compatible
// chat completions, Anthropic messages). Pure: bytes in, updates out, and
// any split of the bytes between reads gives the same updates.
#pragma once

#include "runtime/result.hpp"

#include <boost/json/value.hpp>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace baley::runtime {

struct text_delta {
  std::string content;

  bool operator==(const text_delta&) const = default;
};

// A tool call once its arguments are complete (assembled from deltas).
struct tool_call {
  std::string id;
  std::string name;
  std::string arguments;  // JSON text as the model wrote it ("{}" when none)

  bool operator==(const tool_call&) const = default;
};

// The response's totals so far: a later token_usage replaces an earlier one,
// never adds to it (Anthropic's message_delta usage is cumulative, and some
// OpenAI-compatible servers report usage on every chunk).
struct token_usage {
  std::int64_t input = 0;
  std::int64_t output = 0;

  bool operator==(const token_usage&) const = default;
};

// The stream ended normally ([DONE], message_stop).
struct stream_end {
  std::string finish_reason;  // "stop", "length", "tool_calls", "end_turn", ...

  bool operator==(const stream_end&) const = default;
};

// The stream failed: the provider reported an error inside it, or the
// decoder met malformed JSON ("invalid_json"), a cut body ("stream_cut") or
// a message that never ended ("message_too_large", over 8 MiB).
struct stream_failure {
  std::string type;     // provider's error type, e.g. "overloaded_error"
  std::string message;  // provider's own message
  bool retryable = false;

  bool operator==(const stream_failure&) const = default;
};

using llm_update = std::variant<text_delta, tool_call, token_usage, stream_end, stream_failure>;

enum class llm_wire { openai, anthropic };

// Incremental decoder of one response body (text/event-stream). Feed it the
// bytes as they arrive; it returns the updates completed by them. Malformed
// JSON in a data line is a stream_failure (not retryable), never a throw.
// A stream has exactly one terminal update, stream_end or stream_failure;
// the bytes after it are ignored.
class llm_stream_decoder {
public:
  virtual ~llm_stream_decoder() = default;
  virtual std::vector<llm_update> feed(std::string_view bytes) = 0;
  // The body ended (connection closed): updates still pending, and a
  // retryable stream_failure "stream cut" (type "stream_cut") if no
  // terminal update was seen. A message not closed by a blank line is
  // dropped (WHATWG), and so is a tool call whose arguments were still
  // arriving. Once the model's finish reason came (finish_reason,
  // message_delta's stop_reason) the answer is whole: a body that ends
  // without [DONE] or message_stop then gives stream_end with that reason.
  virtual std::vector<llm_update> finish() = 0;
};

std::unique_ptr<llm_stream_decoder> make_stream_decoder(llm_wire wire);

} // namespace baley::runtime
