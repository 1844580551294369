// HTTP from black-box tests: ordinary requests through libcurl, and a plain
// TCP connection for what curl would hide or refuse to do (hostile clients,
// SSE byte streams read with timeouts, parsed by the WHATWG rules).
#pragma once

#include <boost/json.hpp>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace baley::testing {

using header_list = std::vector<std::pair<std::string, std::string>>;

// Response headers in arrival order; names compare case-insensitively.
struct header_map {
  header_list fields;
  // The first value of `name`, or nullopt.
  std::optional<std::string> get(std::string_view name) const;
  std::vector<std::string> all(std::string_view name) const;
  bool has(std::string_view name) const { return get(name).has_value(); }
};

struct http_response {
  long status = 0;  // 0 when the request did not get an answer
  header_map headers;
  std::string body;
  std::string transport_error;  // curl's message when status == 0

  // The body as JSON; a test failure (and null) when it is not JSON.
  boost::json::value json() const;
  // body.error / body.code, or "" when absent.
  std::string code() const;
  std::string error() const;
};

// One request on a new connection. `body` nullopt sends none; a body is sent
// as is (Content-Type application/json unless `headers` names one). curl's
// `Expect: 100-continue` is switched off.
http_response request(std::string_view method, const std::string& url,
                      const header_list& headers = {},
                      const std::optional<std::string>& body = std::nullopt,
                      std::chrono::milliseconds timeout = std::chrono::seconds(30));

// ---- plain TCP -------------------------------------------------------------

enum class read_status { data, timeout, closed, reset };

class tcp_connection {
public:
  // Connects to 127.0.0.1:port. `receive_buffer` > 0 sets SO_RCVBUF before
  // connecting (a small window makes a client that never reads stall early).
  explicit tcp_connection(int port, int receive_buffer = 0);
  ~tcp_connection();
  tcp_connection(const tcp_connection&) = delete;
  tcp_connection& operator=(const tcp_connection&) = delete;

  bool connected() const { return fd_ >= 0; }
  // Sends as much of `bytes` as the peer takes before the deadline. Returns
  // the number of bytes sent; stops early (without failing) when the peer
  // closes or stops reading.
  std::size_t send(std::string_view bytes,
                   std::chrono::milliseconds timeout = std::chrono::seconds(5));
  // Waits up to `timeout` for bytes; appends them to `into`.
  read_status read_some(std::string& into, std::chrono::milliseconds timeout);
  // Reads until the peer closes (or resets) or the timeout passes; returns
  // how it ended.
  read_status read_until_closed(std::string& into, std::chrono::milliseconds timeout);
  void close();
  int fd() const { return fd_; }

private:
  int fd_ = -1;
};

// A response read off a raw connection: status line and headers parsed, the
// rest of the bytes as they came (still chunked if the server chunked).
struct raw_response_head {
  int status = 0;
  header_map headers;
  bool chunked = false;
};

// Splits "HTTP/1.1 200 OK\r\n...\r\n\r\n" off the front of `buffer`; nullopt
// while it is incomplete.
std::optional<raw_response_head> take_response_head(std::string& buffer);

// Reads one whole response (head and a body with Content-Length, chunked, or
// up to close). nullopt when the connection closed or timed out first.
struct raw_response {
  raw_response_head head;
  std::string body;
};
std::optional<raw_response> read_response(tcp_connection& connection,
                                          std::chrono::milliseconds timeout);

// ---- Server-Sent Events ----------------------------------------------------

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

// Incremental decoder for Transfer-Encoding: chunked.
class chunked_decoder {
public:
  // Decoded bytes from `bytes`; `done()` once the last chunk was read.
  std::string feed(std::string_view bytes);
  bool done() const { return done_; }
  bool failed() const { return failed_; }

private:
  std::string buffer_;
  std::size_t left_in_chunk_ = 0;
  bool in_chunk_ = false;
  bool done_ = false;
  bool failed_ = false;
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
