// A plain TCP client for black-box tests, for what curl would hide or refuse
// to do: hostile requests, responses read with timeouts, chunked bodies
// decoded by hand.
#pragma once

#include "http_client.hpp"

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace baley::testing {

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

} // namespace baley::testing
