// The connection state machine; see connection.hpp. Every member function
// below runs on the connection's strand except the post_* entry points.
#include "http/connection.hpp"

#include "http/connection_registry.hpp"

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>

#include <algorithm>
#include <cctype>

namespace baley::http {
namespace net = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;

namespace {

constexpr std::string_view event_stream_head =
  "HTTP/1.1 200 OK\r\n"
  "Content-Type: text/event-stream\r\n"
  "Cache-Control: no-cache\r\n"
  "X-Accel-Buffering: no\r\n"
  "Connection: close\r\n"
  "\r\n"
  "retry: 1000\n\n";

constexpr std::size_t max_frames_per_write = 64;

// A frame with a body (an event) ends with the blank line after its data.
constexpr std::string_view frame_end = "\n\n";

std::size_t frame_size(const sse_frame& f) {
  return f.head.size() + (f.body.empty() ? 0 : f.body.size() + frame_end.size());
}

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

} // namespace

connection::connection(net::ip::tcp::socket socket, const server_options& options,
                       request_sink& sink, connection_registry& registry)
  : stream_(std::move(socket)), options_(options), sink_(sink), registry_(registry),
    ping_timer_(stream_.get_executor()) {
  beast::error_code ec;
  auto endpoint = stream_.socket().remote_endpoint(ec);
  if (!ec)
    remote_address_ = endpoint.address().to_string();
}

connection::~connection() {
  registry_.remove(this);
}

void connection::start() {
  registry_.add(shared_from_this());
  net::dispatch(stream_.get_executor(), [self = shared_from_this()] { self->read_request(); });
}

void connection::shut_down() {
  net::post(stream_.get_executor(), [self = shared_from_this()] {
    self->shutting_down_ = true;
    if (self->phase_ != phase::handling && self->phase_ != phase::refusing)
      self->close();
  });
}

void connection::read_request() {
  if (phase_ == phase::closed)
    return;
  phase_ = phase::reading;
  parser_.emplace();
  parser_->header_limit(options_.header_limit);
  parser_->body_limit(options_.body_limit);
  stream_.expires_after(options_.request_timeout);
  bhttp::async_read_header(stream_, buffer_, *parser_,
                           [self = shared_from_this()](beast::error_code ec, std::size_t) {
                             self->on_header(ec);
                           });
}

void connection::on_header(beast::error_code ec) {
  if (ec == bhttp::error::body_limit)
    return dispatch_refused();
  if (ec == bhttp::error::header_limit)
    return reject(431, "header_too_large", "request header fields too large");
  if (ec == bhttp::error::end_of_stream || ec == beast::error::timeout
      || ec == net::error::operation_aborted || ec == net::error::connection_reset) {
    close();
    return;
  }
  if (ec)
    return reject(400, "bad_request", "malformed HTTP request: " + ec.message());
  auto length = parser_->content_length();
  if (length && *length > options_.body_limit)
    return dispatch_refused();
  bhttp::async_read(stream_, buffer_, *parser_,
                    [self = shared_from_this()](beast::error_code ec, std::size_t) {
                      self->on_request(ec);
                    });
}

void connection::on_request(beast::error_code ec) {
  if (ec == bhttp::error::body_limit)
    return dispatch_refused();
  if (ec == beast::error::timeout || ec == bhttp::error::end_of_stream
      || ec == net::error::operation_aborted || ec == net::error::connection_reset) {
    close();
    return;
  }
  if (ec)
    return reject(400, "bad_request", "malformed HTTP request: " + ec.message());
  dispatch_request();
}

// A body over the limit: the header goes on (so the route can log the
// refusal) marked refused; the reply is 413 and the connection closes after
// dropping what the client still sends.
void connection::dispatch_refused() {
  auto length = parser_->content_length();
  dispatch_request(length ? static_cast<std::size_t>(*length) : options_.body_limit + 1);
}

void connection::dispatch_request(std::optional<std::size_t> refused_body_bytes) {
  auto message = parser_->release();
  keep_alive_ = message.keep_alive() && !refused_body_bytes;
  http_request request;
  request.refused_body_bytes = refused_body_bytes;
  request.method = std::string(message.method_string());
  auto target = std::string_view(message.target().data(), message.target().size());
  auto question = target.find('?');
  request.path = std::string(target.substr(0, question));
  if (question != std::string_view::npos)
    request.query = std::string(target.substr(question + 1));
  request.headers.reserve(8);
  for (const auto& field : message)
    request.headers.emplace_back(lower(std::string_view(field.name_string().data(),
                                                        field.name_string().size())),
                                 std::string(field.value()));
  request.body = std::move(message.body());
  request.remote_address = remote_address_;
  request.received = std::chrono::steady_clock::now();
  phase_ = refused_body_bytes ? phase::refusing : phase::handling;
  stream_.expires_never();
  sink_.handle(std::move(request), std::make_shared<exchange>(shared_from_this()));
}

void connection::write_response(http_response response, bool keep_alive) {
  if (phase_ != phase::handling && phase_ != phase::refusing)
    return;
  auto res = std::make_shared<bhttp::response<bhttp::string_body>>();
  res->version(11);
  res->result(static_cast<unsigned>(response.status));
  res->set(bhttp::field::server, "baley");
  if (!response.content_type.empty())
    res->set(bhttp::field::content_type, response.content_type);
  for (auto& [name, value] : response.headers)
    res->set(name, value);
  res->body() = std::move(response.body);
  res->keep_alive(keep_alive && !shutting_down_);
  res->prepare_payload();
  stream_.expires_after(options_.write_timeout);
  bhttp::async_write(stream_, *res,
                     [self = shared_from_this(), res](beast::error_code ec, std::size_t) {
                       if (!ec && self->phase_ == phase::refusing) {
                         self->linger();
                         return;
                       }
                       if (ec || !res->keep_alive()) {
                         self->close();
                         return;
                       }
                       self->read_request();
                     });
}

void connection::reject(int status, std::string_view code, std::string_view message) {
  // The client may still be sending what we refuse: read and drop it for a
  // moment after the reply, so it sees the reply and not a reset.
  phase_ = phase::refusing;
  auto response = error_response(status, code, message);
  write_response(std::move(response), false);
}

void connection::linger() {
  beast::error_code ignored;
  stream_.socket().shutdown(net::ip::tcp::socket::shutdown_send, ignored);
  stream_.expires_after(std::chrono::seconds(2));
  drain_budget_ = 16 << 20;
  drain();
}

void connection::drain() {
  stream_.async_read_some(net::buffer(discard_), [self = shared_from_this()](
                                                   beast::error_code ec, std::size_t n) {
    if (ec || n >= self->drain_budget_) {
      self->close();
      return;
    }
    self->drain_budget_ -= n;
    self->drain();
  });
}

void connection::close() {
  if (phase_ == phase::closed)
    return;
  phase_ = phase::closed;
  ping_timer_.cancel();
  beast::error_code ec;
  stream_.socket().shutdown(net::ip::tcp::socket::shutdown_both, ec);
  stream_.socket().close(ec);
  on_stream_drained_ = nullptr;  // holds the feed's handle: let it go now
  if (auto on_closed = std::move(on_stream_closed_))
    on_closed();
  registry_.remove(this);
}

// ---- entry points from exchanges (any thread) ------------------------------

void connection::post_reply(http_response response) {
  net::post(stream_.get_executor(),
            [self = shared_from_this(), response = std::move(response)]() mutable {
              self->write_response(std::move(response), self->keep_alive_);
            });
}

void connection::post_open_event_stream(std::function<void()> on_closed,
                                        std::function<void()> on_drained) {
  net::post(stream_.get_executor(), [self = shared_from_this(), on_closed = std::move(on_closed),
                                     on_drained = std::move(on_drained)]() mutable {
    if (self->phase_ == phase::closed) {
      if (on_closed)
        on_closed();
      return;
    }
    self->phase_ = phase::streaming;
    self->on_stream_closed_ = std::move(on_closed);
    self->on_stream_drained_ = std::move(on_drained);
    self->write_event_stream_head();
  });
}

void connection::post_notify_when_drained() {
  net::post(stream_.get_executor(), [self = shared_from_this()] {
    if (self->phase_ != phase::streaming)
      return;
    self->drain_wanted_ = true;
    self->tell_if_drained();
  });
}

void connection::tell_if_drained() {
  if (!drain_wanted_ || queued_bytes_.load() > options_.sse_queue_limit / 4)
    return;
  drain_wanted_ = false;
  if (on_stream_drained_)
    on_stream_drained_();
}

bool connection::post_frames(std::vector<sse_frame> frames) {
  std::size_t bytes = 0;
  for (const auto& f : frames)
    bytes += frame_size(f);
  // Cut off when what the client has not taken yet is past the limit; one
  // push onto a queue below it always goes (a single event may be larger).
  auto unsent = queued_bytes_.fetch_add(bytes);
  if (unsent > options_.sse_queue_limit) {
    net::post(stream_.get_executor(), [self = shared_from_this()] { self->close(); });
    return false;
  }
  net::post(stream_.get_executor(),
            [self = shared_from_this(), frames = std::move(frames)]() mutable {
              if (self->phase_ == phase::closed)
                return;
              for (auto& f : frames)
                self->frames_.push_back(std::move(f));
              if (!self->writing_)
                self->write_next_frame();
            });
  return true;
}

void connection::post_finish_event_stream() {
  net::post(stream_.get_executor(), [self = shared_from_this()] {
    if (self->phase_ == phase::closed)
      return;
    self->push_local("data: [DONE]\n\n");
    self->phase_ = phase::finishing;
    if (!self->writing_)
      self->write_next_frame();
  });
}

// ---- event stream ----------------------------------------------------------

void connection::write_event_stream_head() {
  queued_bytes_ += event_stream_head.size();
  frames_.push_front(sse_frame{std::string(event_stream_head), {}, nullptr});
  if (!writing_)
    write_next_frame();
  watch_for_client_close();
  schedule_ping();
}

void connection::write_next_frame() {
  if (phase_ == phase::closed)
    return;
  if (frames_.empty()) {
    writing_ = false;
    if (phase_ == phase::finishing)
      close();
    return;
  }
  writing_ = true;
  std::vector<net::const_buffer> buffers;
  auto count = std::min(frames_.size(), max_frames_per_write);
  std::size_t bytes = 0;
  buffers.reserve(count * 2);
  for (std::size_t i = 0; i < count; ++i) {
    const auto& f = frames_[i];
    buffers.emplace_back(f.head.data(), f.head.size());
    if (!f.body.empty()) {
      buffers.emplace_back(f.body.data(), f.body.size());
      buffers.emplace_back(frame_end.data(), frame_end.size());
    }
    bytes += frame_size(f);
  }
  stream_.expires_after(options_.write_timeout);
  net::async_write(stream_, buffers,
                   [self = shared_from_this(), count, bytes](beast::error_code ec, std::size_t) {
                     if (ec) {
                       self->close();
                       return;
                     }
                     for (std::size_t i = 0; i < count && !self->frames_.empty(); ++i)
                       self->frames_.pop_front();
                     self->queued_bytes_.fetch_sub(bytes);
                     self->tell_if_drained();
                     self->write_next_frame();
                   });
}

void connection::push_local(std::string_view text) {
  queued_bytes_ += text.size();
  frames_.push_back(sse_frame{std::string(text), {}, nullptr});
}

void connection::watch_for_client_close() {
  stream_.socket().async_read_some(
    net::buffer(discard_), [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) {
        self->close();
        return;
      }
      self->watch_for_client_close();  // a client has nothing to say: ignore it
    });
}

void connection::schedule_ping() {
  ping_timer_.expires_after(options_.sse_ping_interval);
  ping_timer_.async_wait([self = shared_from_this()](beast::error_code ec) {
    if (ec || self->phase_ == phase::closed)
      return;
    self->push_local(": ping\n\n");
    if (!self->writing_)
      self->write_next_frame();
    self->schedule_ping();
  });
}

} // namespace baley::http
