// One request in flight and the way back to its connection. Handlers (actors)
// hold an exchange and answer through it from any thread: every call posts to
// the connection's strand, so no actor touches a socket and no Asio thread
// waits on an actor.
#pragma once

#include <boost/json/value.hpp>

#include <optional>

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace baley::http {

struct http_request {
  std::string method;  // "GET", ...
  std::string path;    // target without the query, percent-decoding not applied
  std::string query;   // after '?', raw
  std::vector<std::pair<std::string, std::string>> headers;  // names lower-case
  std::string body;
  std::string remote_address;
  std::chrono::steady_clock::time_point received;
  // Set when the transport refused the body (413): the request carries its
  // header only, so that the refusal can still be routed and logged.
  std::optional<std::size_t> refused_body_bytes;

  // The first header of that (lower-case) name, or "".
  std::string_view header(std::string_view name) const;
  // The first query parameter of that name (percent-decoded), if present.
  std::optional<std::string> query_param(std::string_view name) const;
};

struct http_response {
  int status = 200;
  std::string content_type = "application/json; charset=utf-8";
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
};

// A JSON body response.
http_response json_response(int status, const boost::json::value& body);
// {"error","code"} (+ extra fields).
http_response error_response(int status, std::string_view code, std::string_view message);

// One Server-Sent Events message: `head` ("id: N\ndata: "), then `body` (the
// stored record, shared with every client, never copied) and the blank line
// that ends the message. A frame without body is written as `head` alone
// (the retry line, a ping comment, [DONE]). `keep` keeps `body` alive.
struct sse_frame {
  std::string head;
  std::string_view body;
  std::shared_ptr<const void> keep;
};

class connection;
class metrics;

class exchange : public std::enable_shared_from_this<exchange> {
public:
  // Holds its connection while the request is in flight: the connection
  // reads nothing meanwhile, so the exchange is what keeps it alive.
  explicit exchange(std::shared_ptr<connection> connection);

  // The response; only the first call counts.
  void reply(http_response response);

  // Turns the response into an event stream: writes the header and
  // "retry: 1000". `on_closed` runs (on an Asio thread) once when the client
  // goes away or is cut off; `on_drained` after notify_when_drained(); neither
  // may block.
  void open_event_stream(std::function<void()> on_closed, std::function<void()> on_drained = {});
  // Queues frames; false when the stream is closed or was cut off because the
  // client does not keep up.
  bool push(std::vector<sse_frame> frames);
  // Runs `on_drained` once, when (or as soon as) most of what was pushed has
  // been written: how a feed replaying a long log paces itself to its client.
  void notify_when_drained();
  // Writes "data: [DONE]" and closes the connection.
  void finish_event_stream();

  bool replied() const { return replied_.load(); }

  // The route's name for metrics ("GET /api/flows/{id}"); set once by the
  // router before the exchange leaves the Asio thread.
  void set_route_label(std::string label) { route_label_ = std::move(label); }
  const std::string& route_label() const { return route_label_; }

  // Where the reply's status and latency are counted; set by the sink.
  void count_in(metrics* counters, std::chrono::steady_clock::time_point received) {
    counters_ = counters;
    received_ = received;
  }

private:
  std::shared_ptr<connection> connection_;
  void count(int status);

  std::string route_label_;
  std::atomic<bool> replied_{false};
  metrics* counters_ = nullptr;
  std::chrono::steady_clock::time_point received_;
};

using exchange_ptr = std::shared_ptr<exchange>;

// What the transport hands every complete, well-formed request to.
class request_sink {
public:
  virtual ~request_sink() = default;
  virtual void handle(http_request request, exchange_ptr exchange) = 0;
};

} // namespace baley::http
