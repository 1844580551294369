// SSE for black-box tests; see sse_client.hpp.
#include "sse_client.hpp"

#include "deadline.hpp"

#include <algorithm>
#include <cctype>

namespace baley::testing {
using clock_type = std::chrono::steady_clock;
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
