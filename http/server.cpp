// The acceptor loop and the Asio threads; see server.hpp.
#include "http/server.hpp"

#include "http/connection.hpp"
#include "http/connection_registry.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/strand.hpp>

namespace baley::http {
namespace net = boost::asio;
using tcp = net::ip::tcp;

struct server::impl {
  server_options options;
  request_sink& sink;
  net::io_context ioc;
  tcp::acceptor acceptor{ioc};
  connection_registry registry;
  std::vector<std::thread> threads;
  std::optional<net::executor_work_guard<net::io_context::executor_type>> work;

  impl(server_options o, request_sink& s) : options(std::move(o)), sink(s) {}

  void accept() {
    acceptor.async_accept(net::make_strand(ioc), [this](boost::system::error_code ec,
                                                        tcp::socket socket) {
      if (ec == net::error::operation_aborted || !acceptor.is_open())
        return;
      if (!ec) {
        boost::system::error_code ignored;
        socket.set_option(tcp::no_delay(true), ignored);
        std::make_shared<connection>(std::move(socket), options, sink, registry)->start();
      }
      accept();
    });
  }
};

server::server(server_options options, request_sink& sink)
  : impl_(std::make_unique<impl>(std::move(options), sink)) {}

server::~server() {
  stop(std::chrono::milliseconds(0));
}

result<std::uint16_t> server::start() {
  auto& i = *impl_;
  boost::system::error_code ec;
  auto address = net::ip::make_address(i.options.host, ec);
  if (ec)
    return error{"bind_failed", "not an IP address: " + i.options.host, {}};
  tcp::endpoint endpoint(address, i.options.port);
  auto where = i.options.host + ":" + std::to_string(i.options.port);
  if (i.acceptor.open(endpoint.protocol(), ec); ec)
    return error{"bind_failed", "cannot open a socket for " + where + ": " + ec.message(), {}};
  i.acceptor.set_option(net::socket_base::reuse_address(true), ec);
  if (i.acceptor.bind(endpoint, ec); ec)
    return error{"bind_failed", "cannot listen on " + where + ": " + ec.message(), {}};
  if (i.acceptor.listen(net::socket_base::max_listen_connections, ec); ec)
    return error{"bind_failed", "cannot listen on " + where + ": " + ec.message(), {}};
  auto port = i.acceptor.local_endpoint().port();
  i.work.emplace(net::make_work_guard(i.ioc));
  i.accept();
  for (int t = 0; t < std::max(1, i.options.io_threads); ++t)
    i.threads.emplace_back([&i] { i.ioc.run(); });
  return port;
}

void server::stop(std::chrono::milliseconds grace) {
  auto& i = *impl_;
  if (i.threads.empty())
    return;
  net::post(i.ioc, [&i] {
    boost::system::error_code ignored;
    i.acceptor.close(ignored);
  });
  i.registry.shut_down_all();
  auto deadline = std::chrono::steady_clock::now() + grace;
  while (i.registry.size() > 0 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  i.work.reset();
  i.ioc.stop();
  for (auto& t : i.threads)
    t.join();
  i.threads.clear();
}

std::size_t server::connections() const {
  return impl_->registry.size();
}

} // namespace baley::http
