// Server-Sent Events read off a raw connection in black-box tests: the
// WHATWG event-stream parser, and a GET that hands out what the stream
// delivered item by item, with timeouts.
#pragma once

#include "raw_tcp.hpp"

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace baley::testing {

// One thing an SSE stream delivered, in order.
struct sse_item {
  enum class kind { message, comment, retry } what = kind::message;
  std::string id;       // message: the last event id in force when dispatched
  bool has_id = false;  // message: an `id:` field was in this message's block
  std::string event;    // message: the `event:` field, "" when none
  std::string data;     // message: data lines joined by '\n'; comment: its text
  long retry = -1;      // retry: the value
};

// The WHATWG event-stream parser: lines end with CRLF, LF or CR; ':' starts a
// comment; `field: value` drops one space after the colon; a blank line
// dispatches; a block with no data dispatches nothing.
class sse_parser {
public:
  std::vector<sse_item> feed(std::string_view bytes);

private:
  void line(std::string_view text, std::vector<sse_item>& out);
  std::string pending_;
  bool last_was_cr_ = false;
  std::string data_;
  bool has_data_ = false;
  std::string event_;
  std::string last_id_;
  bool block_has_id_ = false;
};

// A GET of an SSE stream over a raw connection, read item by item.
class sse_stream {
public:
  sse_stream(int port, const std::string& path, const header_list& headers,
             std::chrono::milliseconds head_timeout = std::chrono::seconds(10));

  int status() const { return head_.status; }
  const header_map& headers() const { return head_.headers; }
  // The next item, or nullopt when the stream closed or nothing came in time.
  std::optional<sse_item> next(std::chrono::milliseconds timeout);
  // Every item until the server closes, within `timeout`.
  std::vector<sse_item> read_to_end(std::chrono::milliseconds timeout);
  bool closed() const { return closed_; }
  // Every body byte received so far (de-chunked): for exact framing checks.
  const std::string& body() const { return body_; }
  // The non-SSE body of an error response (read when status != 200).
  std::string error_body(std::chrono::milliseconds timeout);
  void close() { connection_.close(); }

private:
  bool pump(std::chrono::milliseconds timeout);
  void take(std::string_view bytes);
  tcp_connection connection_;
  raw_response_head head_;
  std::string raw_;
  std::optional<std::size_t> content_length_;  // set when not chunked
  chunked_decoder chunks_;
  sse_parser parser_;
  std::string body_;
  std::vector<sse_item> ready_;
  std::size_t next_ready_ = 0;
  bool closed_ = false;
};

} // namespace baley::testing
