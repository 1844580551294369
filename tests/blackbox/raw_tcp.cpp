// Plain TCP for black-box tests; see raw_tcp.hpp.
#include "raw_tcp.hpp"

#include "deadline.hpp"

#include <algorithm>
#include <arpa/inet.h>
#include <cerrno>
#include <cstdlib>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

namespace baley::testing {
using clock_type = std::chrono::steady_clock;
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
    head.headers.add_line(text.substr(0, eol));
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

} // namespace baley::testing
