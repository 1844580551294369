// Civil-date arithmetic after Howard Hinnant's days_from_civil/civil_from_days.
#include "runtime/time_format.hpp"

#include <cstdio>
#include <string>

namespace baley {
namespace {

std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

void civil_from_days(std::int64_t z, std::int64_t& y, unsigned& m, unsigned& d) {
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  d = doy - (153 * mp + 2) / 5 + 1;
  m = mp < 10 ? mp + 3 : mp - 9;
  y = static_cast<std::int64_t>(yoe) + era * 400 + (m <= 2);
}

std::int64_t floor_div(std::int64_t a, std::int64_t b) {
  return a / b - ((a % b != 0) && ((a < 0) != (b < 0)));
}

} // namespace

std::string format_rfc3339_ms(unix_ms ms) {
  std::int64_t days = floor_div(ms, 86'400'000);
  std::int64_t rest = ms - days * 86'400'000;
  std::int64_t y;
  unsigned m, d;
  civil_from_days(days, y, m, d);
  char buf[64];  // room for any int64 year, so no truncation
  std::snprintf(buf, sizeof buf, "%04lld-%02u-%02uT%02lld:%02lld:%02lld.%03lldZ",
                static_cast<long long>(y), m, d,
                static_cast<long long>(rest / 3'600'000),
                static_cast<long long>(rest / 60'000 % 60),
                static_cast<long long>(rest / 1000 % 60),
                static_cast<long long>(rest % 1000));
  return buf;
}

result<unix_ms> parse_rfc3339_ms(std::string_view text) {
  auto invalid = [&] {
    return error{"invalid_time", "not an RFC 3339 UTC time: " + std::string(text), {}};
  };
  std::size_t pos = 0;
  auto digits = [&](std::size_t count, int& out) {
    out = 0;
    for (std::size_t i = 0; i < count; ++i, ++pos) {
      if (pos >= text.size() || text[pos] < '0' || text[pos] > '9')
        return false;
      out = out * 10 + (text[pos] - '0');
    }
    return true;
  };
  auto expect = [&](char c) { return pos < text.size() && text[pos++] == c; };
  int y, mo, d, h, mi, s, ms = 0;
  if (!digits(4, y) || !expect('-') || !digits(2, mo) || !expect('-') || !digits(2, d)
      || !expect('T') || !digits(2, h) || !expect(':') || !digits(2, mi) || !expect(':')
      || !digits(2, s))
    return invalid();
  if (pos < text.size() && text[pos] == '.') {
    ++pos;
    int scale = 100, seen = 0;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
      ms += (text[pos++] - '0') * scale;
      scale /= 10;
      ++seen;
    }
    if (seen == 0)
      return invalid();
  }
  if (!expect('Z') || pos != text.size() || mo < 1 || mo > 12 || d < 1 || d > 31
      || h > 23 || mi > 59 || s > 60)
    return invalid();
  std::int64_t days = days_from_civil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d));
  return days * 86'400'000 + h * 3'600'000LL + mi * 60'000LL + s * 1000LL + ms;
}

} // namespace baley
