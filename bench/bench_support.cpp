// Percentiles, error lines and loopback HTTP calls; see bench_support.hpp.
#include "bench/bench_support.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <boost/json.hpp>

#include <algorithm>
#include <cstdlib>

namespace baley::bench {
namespace net = boost::asio;
using tcp = net::ip::tcp;

double percentile(std::vector<double>& values, double fraction) {
  if (values.empty())
    return 0;
  auto nth = values.begin()
             + static_cast<std::ptrdiff_t>(fraction * static_cast<double>(values.size() - 1));
  std::nth_element(values.begin(), nth, values.end());
  return *nth;
}

std::string error_line(std::string_view code, std::string_view message) {
  return boost::json::serialize(
    boost::json::object{{"error", boost::json::object{{"code", code}, {"message", message}}}});
}

result<std::pair<int, std::string>> loopback_call(std::uint16_t port, const std::string& method,
                                                  const std::string& path,
                                                  const std::string& token,
                                                  const std::string& body) {
  net::io_context ioc;
  tcp::socket socket(ioc);
  boost::system::error_code ec;
  socket.connect({net::ip::make_address("127.0.0.1"), port}, ec);
  if (ec)
    return error{"io_error", "connect: " + ec.message(), {}};
  std::string request = method + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                        "Authorization: Bearer " + token + "\r\nContent-Type: application/json\r\n"
                        "Content-Length: " + std::to_string(body.size()) +
                        "\r\nConnection: close\r\n\r\n" + body;
  net::write(socket, net::buffer(request), ec);
  if (ec)
    return error{"io_error", "write: " + ec.message(), {}};
  std::string response;
  char buf[8192];
  for (;;) {
    auto n = socket.read_some(net::buffer(buf), ec);
    response.append(buf, n);
    if (ec)
      break;
  }
  auto status = response.size() > 12 ? std::atoi(response.c_str() + 9) : 0;
  auto body_at = response.find("\r\n\r\n");
  return std::pair{status, body_at == std::string::npos ? "" : response.substr(body_at + 4)};
}

} // namespace baley::bench
