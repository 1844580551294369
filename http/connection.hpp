// One TCP connection: reads a request at a time under limits and timeouts,
// hands it to the request sink, writes the reply, and reads the next one only
// then (pipelining-safe). It can turn into an event stream with a bounded
// write queue. All of its state lives on its strand.
#pragma once

#include "http/exchange.hpp"
#include "http/server_options.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>

#include <deque>
#include <memory>
#include <optional>

namespace baley::http {

class connection_registry;

class connection : public std::enable_shared_from_this<connection> {
public:
  connection(boost::asio::ip::tcp::socket socket, const server_options& options,
             request_sink& sink, connection_registry& registry);
  ~connection();

  void start();
  // Server shutdown: close when idle, or after the reply being written.
  void shut_down();

  // Called through exchange, from any thread.
  void post_reply(http_response response);
  void post_open_event_stream(std::function<void()> on_closed, std::function<void()> on_drained);
  bool post_frames(std::vector<sse_frame> frames);
  void post_notify_when_drained();
  void post_finish_event_stream();

private:
  void read_request();
  void on_header(boost::beast::error_code ec);
  void on_request(boost::beast::error_code ec);
  void dispatch_request(std::optional<std::size_t> refused_body_bytes = std::nullopt);
  void dispatch_refused();
  void write_response(http_response response, bool keep_alive);
  void reject(int status, std::string_view code, std::string_view message);
  void linger();  // after a refusal: drop what the client still sends, then close
  void drain();
  void close();

  void write_event_stream_head();
  void tell_if_drained();
  void push_local(std::string_view text);  // a frame of our own (ping, [DONE])
  void write_next_frame();
  void watch_for_client_close();
  void schedule_ping();

  boost::beast::tcp_stream stream_;
  boost::beast::flat_buffer buffer_;
  std::optional<boost::beast::http::request_parser<boost::beast::http::string_body>> parser_;
  const server_options& options_;
  request_sink& sink_;
  connection_registry& registry_;
  std::string remote_address_;

  // Where the connection is in its life; each phase is left only forward
  // (handling may return to reading for the next keep-alive request).
  enum class phase {
    reading,    // waiting for, or reading, a request
    handling,   // a request is with the handler or its reply being written
    refusing,   // a refused request: reply, then drop what the client sends
    streaming,  // an event stream
    finishing,  // an event stream writing its last frames, then closing
    closed,
  };
  phase phase_ = phase::reading;
  bool keep_alive_ = true;      // of the request being handled
  bool shutting_down_ = false;  // the server's: close at the next idle moment
  std::size_t drain_budget_ = 0;

  // Event stream mode.
  bool writing_ = false;  // a write of queued frames is in flight
  std::deque<sse_frame> frames_;
  std::atomic<std::size_t> queued_bytes_{0};
  std::function<void()> on_stream_closed_;
  std::function<void()> on_stream_drained_;
  bool drain_wanted_ = false;  // call on_stream_drained_ once below a quarter of the limit
  boost::asio::steady_timer ping_timer_;
  std::array<char, 16384> discard_{};
};

} // namespace baley::http
