// HTTP for black-box tests; see http_client.hpp.
#include "http_client.hpp"

#include <curl/curl.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <arpa/inet.h>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

namespace baley::testing {
namespace {
using clock_type = std::chrono::steady_clock;

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() &&
         std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

std::string trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' ||
                        s.back() == '\n'))
    s.remove_suffix(1);
  return std::string(s);
}

int millis_left(clock_type::time_point deadline) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - clock_type::now());
  return left.count() < 0 ? 0 : static_cast<int>(left.count());
}

size_t on_body(char* data, size_t size, size_t n, void* user) {
  static_cast<std::string*>(user)->append(data, size * n);
  return size * n;
}

size_t on_header(char* data, size_t size, size_t n, void* user) {
  auto* headers = static_cast<header_map*>(user);
  std::string_view line(data, size * n);
  if (line.substr(0, 5) == "HTTP/")
    headers->fields.clear();  // a new response (after 100 Continue)
  else if (auto colon = line.find(':'); colon != std::string_view::npos)
    headers->fields.emplace_back(trim(line.substr(0, colon)), trim(line.substr(colon + 1)));
  return size * n;
}

struct curl_global {
  curl_global() { curl_global_init(CURL_GLOBAL_DEFAULT); }
};

} // namespace

std::optional<std::string> header_map::get(std::string_view name) const {
  for (const auto& [k, v] : fields)
    if (iequals(k, name))
      return v;
  return std::nullopt;
}

std::vector<std::string> header_map::all(std::string_view name) const {
  std::vector<std::string> out;
  for (const auto& [k, v] : fields)
    if (iequals(k, name))
      out.push_back(v);
  return out;
}

boost::json::value http_response::json() const {
  boost::system::error_code ec;
  auto v = boost::json::parse(body, ec);
  if (ec) {
    ADD_FAILURE() << "not JSON (status " << status << "): " << body.substr(0, 500);
    return nullptr;
  }
  return v;
}

namespace {
std::string field_of(const std::string& body, const char* name) {
  boost::system::error_code ec;
  auto v = boost::json::parse(body, ec);
  if (ec || !v.is_object())
    return {};
  auto* f = v.as_object().if_contains(name);
  return f && f->is_string() ? std::string(f->as_string()) : std::string();
}
} // namespace

std::string http_response::code() const { return field_of(body, "code"); }
std::string http_response::error() const { return field_of(body, "error"); }

http_response request(std::string_view method, const std::string& url,
                      const header_list& headers, const std::optional<std::string>& body,
                      std::chrono::milliseconds timeout) {
  static curl_global init;
  http_response r;
  CURL* h = curl_easy_init();
  std::string verb(method);
  curl_easy_setopt(h, CURLOPT_URL, url.c_str());
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(h, CURLOPT_PROXY, "");
  curl_easy_setopt(h, CURLOPT_NOPROXY, "*");
  curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, static_cast<long>(timeout.count()));
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, &r.body);
  curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt(h, CURLOPT_HEADERDATA, &r.headers);
  if (verb == "HEAD")
    curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
  else
    curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, verb.c_str());
  curl_slist* list = curl_slist_append(nullptr, "Expect:");
  bool has_type = false;
  for (const auto& [k, v] : headers) {
    has_type = has_type || iequals(k, "Content-Type");
    list = curl_slist_append(list, (k + ": " + v).c_str());
  }
  if (body) {
    if (!has_type)
      list = curl_slist_append(list, "Content-Type: application/json");
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, body->data());
    curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body->size()));
  }
  curl_easy_setopt(h, CURLOPT_HTTPHEADER, list);
  auto rc = curl_easy_perform(h);
  if (rc == CURLE_OK)
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &r.status);
  else
    r.transport_error = curl_easy_strerror(rc);
  curl_slist_free_all(list);
  curl_easy_cleanup(h);
  return r;
}

// ---- plain TCP -------------------------------------------------------------

tcp_connection::tcp_connection(int port, int receive_buffer) {
  fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd_ < 0)
    return;
  if (receive_buffer > 0)
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &receive_buffer, sizeof receive_buffer);
  int one = 1;
  ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd_);
    fd_ = -1;
    return;
  }
  ::fcntl(fd_, F_SETFL, ::fcntl(fd_, F_GETFL) | O_NONBLOCK);
}

tcp_connection::~tcp_connection() { close(); }

void tcp_connection::close() {
  if (fd_ >= 0)
    ::close(fd_);
  fd_ = -1;
}

std::size_t tcp_connection::send(std::string_view bytes, std::chrono::milliseconds timeout) {
  auto deadline = clock_type::now() + timeout;
  std::size_t sent = 0;
  while (fd_ >= 0 && sent < bytes.size()) {
    auto n = ::send(fd_, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
    if (n > 0) {
      sent += static_cast<std::size_t>(n);
      continue;
    }
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      int left = millis_left(deadline);
      if (left == 0)
        break;
      pollfd p{fd_, POLLOUT, 0};
      ::poll(&p, 1, left);
      if (p.revents & (POLLERR | POLLHUP))
        break;
      continue;
    }
    break;  // EPIPE, ECONNRESET: the peer is gone
  }
  return sent;
}

read_status tcp_connection::read_some(std::string& into, std::chrono::milliseconds timeout) {
  if (fd_ < 0)
    return read_status::closed;
  auto deadline = clock_type::now() + timeout;
  for (;;) {
    char buf[65536];
    auto n = ::recv(fd_, buf, sizeof buf, 0);
    if (n > 0) {
      into.append(buf, static_cast<std::size_t>(n));
      return read_status::data;
    }
    if (n == 0)
      return read_status::closed;
    if (errno == EINTR)
      continue;
    if (errno != EAGAIN && errno != EWOULDBLOCK)
      return read_status::reset;
    int left = millis_left(deadline);
    if (left == 0)
      return read_status::timeout;
    pollfd p{fd_, POLLIN, 0};
    ::poll(&p, 1, left);
  }
}

read_status tcp_connection::read_until_closed(std::string& into,
                                              std::chrono::milliseconds timeout) {
  auto deadline = clock_type::now() + timeout;
  for (;;) {
    auto s = read_some(into, std::chrono::milliseconds(millis_left(deadline)));
    if (s != read_status::data)
      return s;
  }
}

std::optional<raw_response_head> take_response_head(std::string& buffer) {
  auto end = buffer.find("\r\n\r\n");
  if (end == std::string::npos)
    return std::nullopt;
  raw_response_head head;
  std::string_view text(buffer.data(), end);
  auto eol = text.find("\r\n");
  auto status_line = text.substr(0, eol);
  if (auto sp = status_line.find(' '); sp != std::string_view::npos)
    head.status = std::atoi(std::string(status_line.substr(sp + 1, 3)).c_str());
  while (eol != std::string_view::npos) {
    text.remove_prefix(eol + 2);
    eol = text.find("\r\n");
    auto line = text.substr(0, eol);
    if (auto colon = line.find(':'); colon != std::string_view::npos)
      head.headers.fields.emplace_back(trim(line.substr(0, colon)),
                                       trim(line.substr(colon + 1)));
  }
  if (auto te = head.headers.get("Transfer-Encoding"))
    head.chunked = te->find("chunked") != std::string::npos;
  buffer.erase(0, end + 4);
  return head;
}

std::optional<raw_response> read_response(tcp_connection& connection,
                                          std::chrono::milliseconds timeout) {
  auto deadline = clock_type::now() + timeout;
  std::string buffer;
  std::optional<raw_response_head> head;
  while (!(head = take_response_head(buffer)))
    if (connection.read_some(buffer, std::chrono::milliseconds(millis_left(deadline))) !=
        read_status::data)
      return std::nullopt;
  raw_response r{*head, {}};
  if (head->chunked) {
    chunked_decoder chunks;
    r.body = chunks.feed(buffer);
    while (!chunks.done() && !chunks.failed()) {
      std::string more;
      if (connection.read_some(more, std::chrono::milliseconds(millis_left(deadline))) !=
          read_status::data)
        break;
      r.body += chunks.feed(more);
    }
  } else if (auto length = head->headers.get("Content-Length")) {
    auto want = std::stoull(*length);
    while (buffer.size() < want &&
           connection.read_some(buffer, std::chrono::milliseconds(millis_left(deadline))) ==
             read_status::data) {
    }
    r.body = buffer.substr(0, std::min<std::size_t>(want, buffer.size()));
  } else {
    connection.read_until_closed(buffer, std::chrono::milliseconds(millis_left(deadline)));
    r.body = buffer;
  }
  return r;
}

// ---- Server-Sent Events ----------------------------------------------------

std::vector<sse_item> sse_parser::feed(std::string_view bytes) {
  std::vector<sse_item> out;
  for (char c : bytes) {
    if (c == '\n' && last_was_cr_) {
      last_was_cr_ = false;
      continue;
    }
    last_was_cr_ = c == '\r';
    if (c == '\r' || c == '\n') {
      line(pending_, out);
      pending_.clear();
    } else {
      pending_ += c;
    }
  }
  return out;
}

void sse_parser::line(std::string_view text, std::vector<sse_item>& out) {
  if (text.empty()) {
    if (has_data_) {
      sse_item m;
      m.id = last_id_;
      m.has_id = block_has_id_;
      m.event = event_;
      m.data = data_.substr(0, data_.size() - 1);
      out.push_back(std::move(m));
    }
    data_.clear();
    has_data_ = false;
    event_.clear();
    block_has_id_ = false;
    return;
  }
  if (text.front() == ':') {
    sse_item c;
    c.what = sse_item::kind::comment;
    c.data = std::string(text.substr(1));
    out.push_back(std::move(c));
    return;
  }
  auto colon = text.find(':');
  auto field = text.substr(0, colon);
  std::string_view value;
  if (colon != std::string_view::npos) {
    value = text.substr(colon + 1);
    if (!value.empty() && value.front() == ' ')
      value.remove_prefix(1);
  }
  if (field == "data") {
    data_.append(value);
    data_ += '\n';
    has_data_ = true;
  } else if (field == "event") {
    event_ = std::string(value);
  } else if (field == "id") {
    if (value.find('\0') == std::string_view::npos) {
      last_id_ = std::string(value);
      block_has_id_ = true;
    }
  } else if (field == "retry") {
    if (!value.empty() && std::all_of(value.begin(), value.end(), ::isdigit)) {
      sse_item r;
      r.what = sse_item::kind::retry;
      r.retry = std::stol(std::string(value));
      out.push_back(std::move(r));
    }
  }
}

std::string chunked_decoder::feed(std::string_view bytes) {
  std::string out;
  buffer_.append(bytes);
  while (!done_ && !failed_) {
    if (!in_chunk_) {
      auto eol = buffer_.find("\r\n");
      if (eol == std::string::npos)
        return out;
      auto size_text = buffer_.substr(0, std::min(eol, buffer_.find(';')));
      char* end = nullptr;
      auto size = std::strtoull(size_text.c_str(), &end, 16);
      if (size_text.empty() || end == size_text.c_str()) {
        failed_ = true;
        return out;
      }
      buffer_.erase(0, eol + 2);
      if (size == 0) {
        done_ = true;  // trailers, if any, are ignored
        return out;
      }
      left_in_chunk_ = size;
      in_chunk_ = true;
    }
    if (left_in_chunk_ > 0) {
      auto n = std::min(left_in_chunk_, buffer_.size());
      out.append(buffer_, 0, n);
      buffer_.erase(0, n);
      left_in_chunk_ -= n;
      if (left_in_chunk_ > 0)
        return out;
    }
    if (buffer_.size() < 2)
      return out;
    if (buffer_.compare(0, 2, "\r\n") != 0) {
      failed_ = true;
      return out;
    }
    buffer_.erase(0, 2);
    in_chunk_ = false;
  }
  return out;
}

sse_stream::sse_stream(int port, const std::string& path, const header_list& headers,
                       std::chrono::milliseconds head_timeout)
  : connection_(port) {
  std::string req = "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(port) +
                    "\r\nAccept: text/event-stream\r\n";
  for (const auto& [k, v] : headers)
    req += k + ": " + v + "\r\n";
  req += "\r\n";
  connection_.send(req);
  auto deadline = clock_type::now() + head_timeout;
  std::optional<raw_response_head> head;
  while (!(head = take_response_head(raw_))) {
    if (connection_.read_some(raw_, std::chrono::milliseconds(millis_left(deadline))) !=
        read_status::data) {
      closed_ = true;
      return;
    }
  }
  head_ = *head;
  auto rest = std::move(raw_);
  raw_.clear();
  if (!head_.chunked)
    if (auto length = head_.headers.get("Content-Length"))
      content_length_ = std::stoull(*length);
  take(rest);
}

void sse_stream::take(std::string_view bytes) {
  std::string decoded;
  if (head_.chunked) {
    decoded = chunks_.feed(bytes);
    if (chunks_.done() || chunks_.failed())
      closed_ = true;
  } else {
    decoded = std::string(bytes);
  }
  body_ += decoded;
  for (auto& item : parser_.feed(decoded))
    ready_.push_back(std::move(item));
  if (content_length_ && body_.size() >= *content_length_)
    closed_ = true;
}

bool sse_stream::pump(std::chrono::milliseconds timeout) {
  std::string more;
  switch (connection_.read_some(more, timeout)) {
  case read_status::data:
    take(more);
    return true;
  case read_status::timeout:
    return false;
  default:
    closed_ = true;
    return true;
  }
}

std::optional<sse_item> sse_stream::next(std::chrono::milliseconds timeout) {
  auto deadline = clock_type::now() + timeout;
  while (next_ready_ >= ready_.size()) {
    if (closed_)
      return std::nullopt;
    if (!pump(std::chrono::milliseconds(millis_left(deadline))))
      return std::nullopt;
  }
  return ready_[next_ready_++];
}

std::vector<sse_item> sse_stream::read_to_end(std::chrono::milliseconds timeout) {
  auto deadline = clock_type::now() + timeout;
  std::vector<sse_item> items;
  while (auto item = next(std::chrono::milliseconds(millis_left(deadline))))
    items.push_back(std::move(*item));
  return items;
}

std::string sse_stream::error_body(std::chrono::milliseconds timeout) {
  auto deadline = clock_type::now() + timeout;
  while (!closed_ && pump(std::chrono::milliseconds(millis_left(deadline)))) {
  }
  return body_;
}

} // namespace baley::testing
