// The HTTP server: an acceptor and the Asio threads it runs on. Requests go to
// a request_sink; shutdown stops accepting, lets replies in flight finish and
// closes every connection.
#pragma once

#include "http/exchange.hpp"
#include "http/server_options.hpp"
#include "runtime/result.hpp"

#include <memory>
#include <thread>
#include <vector>

namespace baley::http {

class server {
public:
  server(server_options options, request_sink& sink);
  ~server();
  server(const server&) = delete;
  server& operator=(const server&) = delete;

  // Binds and starts the Asio threads; returns the bound port (useful with
  // port 0). Error "bind_failed" names the address.
  result<std::uint16_t> start();

  // Stops accepting, shuts every connection down, waits up to `grace` for
  // them, then stops the threads.
  void stop(std::chrono::milliseconds grace = std::chrono::milliseconds(3000));

  std::size_t connections() const;

private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

} // namespace baley::http
