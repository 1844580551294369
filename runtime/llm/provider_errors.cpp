// Classifying provider failures and writing their messages; see
// provider_errors.hpp.
#include "runtime/llm/provider_errors.hpp"

#include "runtime/time_format.hpp"

#include <boost/json/parse.hpp>

#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <vector>

namespace baley::runtime {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front())))
    s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back())))
    s.remove_suffix(1);
  return s;
}

bool all_digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
    return c >= '0' && c <= '9';
  });
}

int to_int(std::string_view digits) {
  int n = 0;
  for (char c : digits)
    n = n * 10 + (c - '0');
  return n;
}

// "120" or "1.5" seconds.
std::optional<double> delta_seconds(std::string_view s) {
  auto dot = s.find('.');
  auto whole = s.substr(0, dot);
  auto fraction = dot == std::string_view::npos ? std::string_view{} : s.substr(dot + 1);
  if (!all_digits(whole) || (dot != std::string_view::npos && !all_digits(fraction)))
    return std::nullopt;
  double value = 0;
  for (char c : whole)
    value = value * 10 + (c - '0');
  double scale = 0.1;
  for (char c : fraction) {
    value += (c - '0') * scale;
    scale /= 10;
  }
  return value;
}

int month_number(std::string_view token) {
  static constexpr std::array<std::string_view, 12> names{
    "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"};
  if (token.size() != 3)
    return 0;
  std::string lower;
  for (char c : token)
    lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  for (std::size_t i = 0; i < names.size(); ++i)
    if (names[i] == lower)
      return static_cast<int>(i) + 1;
  return 0;
}

// IMF-fixdate "Sun, 06 Nov 1994 08:49:37 GMT", RFC 850 "Sunday, 06-Nov-94
// 08:49:37 GMT" and asctime "Sun Nov  6 08:49:37 1994": in all three the
// first number is the day and the second the year.
std::optional<unix_ms> http_date(std::string_view s) {
  std::vector<std::string_view> tokens;
  std::size_t start = 0;
  for (std::size_t i = 0; i <= s.size(); ++i)
    if (i == s.size() || s[i] == ' ' || s[i] == ',' || s[i] == '-') {
      if (i > start)
        tokens.push_back(s.substr(start, i - start));
      start = i + 1;
    }
  int month = 0, hour = -1, minute = 0, second = 0;
  std::vector<std::string_view> numbers;
  for (auto t : tokens) {
    if (all_digits(t))
      numbers.push_back(t);
    else if (int m = month_number(t))
      month = m;
    else if (t.size() == 8 && t[2] == ':' && t[5] == ':' && all_digits(t.substr(0, 2))
             && all_digits(t.substr(3, 2)) && all_digits(t.substr(6, 2))) {
      hour = to_int(t.substr(0, 2));
      minute = to_int(t.substr(3, 2));
      second = to_int(t.substr(6, 2));
    }
  }
  if (!month || hour < 0 || numbers.size() != 2 || numbers[0].size() > 2
      || (numbers[1].size() != 2 && numbers[1].size() != 4))
    return std::nullopt;
  int day = to_int(numbers[0]);
  int year = to_int(numbers[1]);
  if (numbers[1].size() == 2)
    year += year < 70 ? 2000 : 1900;
  char text[80];
  std::snprintf(text, sizeof text, "%04d-%02d-%02dT%02d:%02d:%02dZ", year, month, day,
                hour, minute, second);
  auto parsed = parse_rfc3339_ms(text);
  if (!parsed)
    return std::nullopt;
  return *parsed;
}

std::string_view reason_phrase(int status) {
  switch (status) {
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 408: return "Request Timeout";
    case 409: return "Conflict";
    case 413: return "Payload Too Large";
    case 422: return "Unprocessable Entity";
    case 429: return "Too Many Requests";
    case 500: return "Internal Server Error";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    case 504: return "Gateway Timeout";
    case 529: return "Overloaded";
    default: return {};
  }
}

// At most `limit` bytes, not cutting a UTF-8 sequence in two.
std::string_view cut_utf8(std::string_view text, std::size_t limit) {
  if (text.size() <= limit)
    return text;
  std::size_t end = limit;
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80)
    --end;
  return text.substr(0, end);
}

} // namespace

bool is_retryable_status(int status) {
  return status == 408 || status == 429 || (status >= 500 && status <= 599);
}

bool is_retryable(transport_error kind) {
  return kind != transport_error::tls && kind != transport_error::other;
}

std::string_view describe(transport_error kind) {
  switch (kind) {
    case transport_error::timeout: return "timed out";
    case transport_error::connection_reset: return "connection reset";
    case transport_error::connection_refused: return "connection refused";
    case transport_error::name_resolution: return "could not resolve the host";
    case transport_error::stream_cut: return "the response stream was cut short";
    case transport_error::tls: return "TLS failure";
    case transport_error::other: return "transfer failed";
  }
  return "transfer failed";
}

std::optional<std::int64_t> parse_retry_after(std::string_view header, unix_ms now) {
  header = trim(header);
  if (header.empty())
    return std::nullopt;
  if (auto seconds = delta_seconds(header)) {
    double ms = std::ceil(*seconds * 1000.0);
    return static_cast<std::int64_t>(std::min(ms, double(max_retry_after_ms)));
  }
  if (auto at = http_date(header))
    return std::clamp<std::int64_t>(*at - now, 0, max_retry_after_ms);
  return std::nullopt;
}

std::optional<std::string> provider_error_message(std::string_view body) {
  boost::system::error_code ec;
  auto value = boost::json::parse(body, ec);
  if (ec || !value.is_object())
    return std::nullopt;
  auto* err = value.get_object().if_contains("error");
  if (!err)
    return std::nullopt;
  if (err->is_string() && !err->get_string().empty())
    return std::string(err->get_string());
  if (!err->is_object())
    return std::nullopt;
  auto* message = err->get_object().if_contains("message");
  if (!message || !message->is_string() || message->get_string().empty())
    return std::nullopt;
  return std::string(message->get_string());
}

std::string redact(std::string_view text, std::string_view secret) {
  if (secret.empty())
    return std::string(text);
  std::string out;
  out.reserve(text.size());
  std::size_t pos = 0;
  for (auto hit = text.find(secret); hit != std::string_view::npos;
       hit = text.find(secret, pos)) {
    out.append(text.substr(pos, hit - pos));
    out += "[redacted]";
    pos = hit + secret.size();
  }
  out.append(text.substr(pos));
  return out;
}

std::string failure_message(const provider_call& call, std::optional<int> http_status,
                            std::string_view detail, std::string_view raw_body) {
  std::string m = call.provider.empty() ? "provider" : call.provider;
  if (!call.connection.empty())
    m += " connection '" + call.connection + "'";
  if (!call.model.empty())
    m += ", model " + call.model;
  m += ":";
  if (http_status) {
    m.append(" HTTP ").append(std::to_string(*http_status));
    if (auto phrase = reason_phrase(*http_status); !phrase.empty())
      m.append(" ").append(phrase);
    if (!detail.empty())
      m += ":";
  }
  if (!detail.empty())
    m.append(" ").append(detail);
  m.append(" (attempt ").append(std::to_string(call.attempt)).append(" of ");
  m.append(std::to_string(std::max(call.attempt, call.max_attempts))).append(")");
  if (call.debug && !raw_body.empty()) {
    // Redacted before the cut, so no part of a key survives at the edge.
    auto body = redact(raw_body, call.secret);
    auto shown = cut_utf8(body, max_debug_body_bytes);
    m += "\nresponse body";
    if (shown.size() < body.size())
      m += " (first " + std::to_string(shown.size()) + " of "
           + std::to_string(body.size()) + " bytes)";
    m += ": " + std::string(shown);
  }
  return redact(m, call.secret);
}

node_failure http_failure(const provider_call& call, int http_status,
                          std::string_view body, std::string_view retry_after_header,
                          unix_ms now) {
  auto own = provider_error_message(body);
  return node_failure{failure_message(call, http_status, own ? *own : "", body),
                      is_retryable_status(http_status),
                      parse_retry_after(retry_after_header, now)};
}

node_failure transport_failure(const provider_call& call, transport_error kind,
                               std::string_view detail) {
  std::string text(describe(kind));
  if (!detail.empty())
    text += ": " + std::string(detail);
  return node_failure{failure_message(call, std::nullopt, text), is_retryable(kind),
                      std::nullopt};
}

node_failure stream_error(const provider_call& call, const stream_failure& failure) {
  std::string text = failure.type.empty() ? "error in the response stream"
                                          : failure.type;
  if (!failure.message.empty())
    text += ": " + failure.message;
  return node_failure{failure_message(call, std::nullopt, text), failure.retryable,
                      std::nullopt};
}

node_failure schema_failure(const provider_call& call, std::string_view detail,
                            std::string_view reply) {
  return node_failure{failure_message(call, std::nullopt,
                                      "output does not match outputSchema: "
                                        + std::string(detail),
                                      reply),
                      false, std::nullopt};
}

node_failure breaker_refusal(const provider_call& call, const breaker_permit& permit,
                             unix_ms now) {
  return node_failure{failure_message(call, std::nullopt, permit.reason), true,
                      std::max<std::int64_t>(0, permit.retry_at - now)};
}

} // namespace baley::runtime
