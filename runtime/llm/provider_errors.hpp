// Provider failures as node_failure: which classes are retryable, the
// Retry-After header, and the message a person reads (never the API key).
#pragma once

// Retryable: HTTP 408, 429 and 5xx (Anthropic's 529 included); timeouts,
// connections reset or refused, failed name resolution, streams cut short.
// Not retryable: other 4xx (400, 401, 403, 404, 422, ...), TLS failures, an
// output that fails its outputSchema. Every message goes through redact()
// with the connection's key before it leaves this file.

#include "runtime/resilience/circuit_breaker.hpp"
#include "runtime/llm/llm_stream.hpp"
#include "runtime/execution/task_outcome.hpp"
#include "runtime/types.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace baley::runtime {

// The call a failure is about, as the message names it.
struct provider_call {
  std::string provider;             // "openai", "anthropic", "simulated"
  std::string connection;           // the connection's name; may be empty
  std::string model;
  std::uint32_t attempt = 1;        // this attempt on this model, 1-based
  std::uint32_t max_attempts = 1;   // the model's retries + 1
  std::string secret;               // the API key: redacted, never shown
  bool debug = false;               // append the raw response body
};

enum class transport_error {
  timeout,
  connection_reset,
  connection_refused,
  name_resolution,
  stream_cut,   // the body ended before the provider's end of stream
  tls,          // certificate or handshake: configuration, not retryable
  other,        // anything else curl reports: not retryable
};

bool is_retryable_status(int http_status);
bool is_retryable(transport_error kind);
std::string_view describe(transport_error kind);  // "timed out", ...

// Retry-After caps: a longer wait is cut to this.
inline constexpr std::int64_t max_retry_after_ms = 3'600'000;
// The raw body appended in debug mode is cut to this many bytes.
inline constexpr std::size_t max_debug_body_bytes = 2048;

// Milliseconds to wait from `now`: delta-seconds ("120", fractions accepted)
// or an HTTP-date (IMF-fixdate, RFC 850 or asctime; a past date gives 0),
// capped at max_retry_after_ms. Empty or unreadable: nullopt.
std::optional<std::int64_t> parse_retry_after(std::string_view header, unix_ms now);

// The provider's own message in an error body: OpenAI
// {"error":{"message"}}, Anthropic {"type":"error","error":{"message"}},
// Ollama {"error":"..."}. Nullopt when the body says none.
std::optional<std::string> provider_error_message(std::string_view body);

// `text` with every occurrence of `secret` replaced by "[redacted]"; an
// empty secret changes nothing.
std::string redact(std::string_view text, std::string_view secret);

// "openai connection 'prod', model gpt-4o: HTTP 429 Too Many Requests:
// <detail> (attempt 1 of 3)", plus in debug mode "\nresponse body: <raw>",
// cut to max_debug_body_bytes; redacted with call.secret.
std::string failure_message(const provider_call& call, std::optional<int> http_status,
                            std::string_view detail, std::string_view raw_body = {});

// A non-2xx answer: retryable by status, the provider's message from the
// body, Retry-After (empty header: none) as retry_after_ms.
node_failure http_failure(const provider_call& call, int http_status,
                          std::string_view body, std::string_view retry_after_header,
                          unix_ms now);

node_failure transport_failure(const provider_call& call, transport_error kind,
                               std::string_view detail = {});

// An error the provider reported inside the stream (its retryable flag kept).
node_failure stream_error(const provider_call& call, const stream_failure& failure);

// The reply does not satisfy outputSchema: not retryable (the next model may
// do better: see supervision.hpp). In debug mode the reply is appended.
node_failure schema_failure(const provider_call& call, std::string_view detail,
                            std::string_view reply = {});

// The breaker refused the call: retryable, retry_after_ms until the breaker
// may let one through. Not a failure to record on the breaker.
node_failure breaker_refusal(const provider_call& call, const breaker_permit& permit,
                             unix_ms now);

} // namespace baley::runtime
