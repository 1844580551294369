// Exchanges and the small request/response helpers; see exchange.hpp.
#include "http/exchange.hpp"

#include "http/connection.hpp"
#include "http/metrics.hpp"
#include "runtime/hex.hpp"

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

namespace baley::http {
namespace {

std::string percent_decode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '+') {
      out.push_back(' ');
    } else if (text[i] == '%' && i + 2 < text.size()
               && runtime::hex_digit_value(text[i + 1]) >= 0 && runtime::hex_digit_value(text[i + 2]) >= 0) {
      out.push_back(static_cast<char>(runtime::hex_digit_value(text[i + 1]) * 16 + runtime::hex_digit_value(text[i + 2])));
      i += 2;
    } else {
      out.push_back(text[i]);
    }
  }
  return out;
}

} // namespace

std::string_view http_request::header(std::string_view name) const {
  for (const auto& [key, value] : headers)
    if (key == name)
      return value;
  return {};
}

std::optional<std::string> http_request::query_param(std::string_view name) const {
  std::string_view rest = query;
  while (!rest.empty()) {
    auto amp = rest.find('&');
    auto pair = rest.substr(0, amp);
    rest = amp == std::string_view::npos ? std::string_view() : rest.substr(amp + 1);
    auto eq = pair.find('=');
    if (percent_decode(pair.substr(0, eq)) != name)
      continue;
    return eq == std::string_view::npos ? std::string() : percent_decode(pair.substr(eq + 1));
  }
  return std::nullopt;
}

http_response json_response(int status, const boost::json::value& body) {
  http_response r;
  r.status = status;
  r.body = boost::json::serialize(body);
  return r;
}

http_response error_response(int status, std::string_view code, std::string_view message) {
  boost::json::object o;
  o["error"] = message;
  o["code"] = code;
  return json_response(status, o);
}

exchange::exchange(std::shared_ptr<connection> connection)
  : connection_(std::move(connection)) {}

void exchange::count(int status) {
  if (!counters_)
    return;
  std::chrono::duration<double> took = std::chrono::steady_clock::now() - received_;
  counters_->observe_request(route_label_.empty() ? "unmatched" : route_label_, status,
                             took.count());
}

void exchange::reply(http_response response) {
  if (replied_.exchange(true))
    return;
  count(response.status);
  connection_->post_reply(std::move(response));
}

void exchange::open_event_stream(std::function<void()> on_closed, std::function<void()> on_drained) {
  if (replied_.exchange(true))
    return;
  count(200);
  connection_->post_open_event_stream(std::move(on_closed), std::move(on_drained));
}

bool exchange::push(std::vector<sse_frame> frames) {
  return connection_->post_frames(std::move(frames));
}

void exchange::notify_when_drained() {
  connection_->post_notify_when_drained();
}

void exchange::finish_event_stream() {
  connection_->post_finish_event_stream();
}

} // namespace baley::http
