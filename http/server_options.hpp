// The knobs of `baley serve` that the transport uses: limits and timeouts
// that keep hostile or slow clients from holding server resources.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>

namespace baley::http {

struct server_options {
  std::string host = "127.0.0.1";
  std::uint16_t port = 8080;
  int io_threads = 1;
  std::size_t body_limit = 1 << 20;        // 1 MiB, then 413
  std::uint32_t header_limit = 16 * 1024;  // then 431
  // A request's header and body must arrive within this from the moment the
  // connection waits for it (slowloris); an idle keep-alive connection is
  // closed after it too.
  std::chrono::milliseconds request_timeout{10'000};
  // One write to a client may take this long before it is cut off.
  std::chrono::milliseconds write_timeout{15'000};
  // An event stream whose unsent bytes pass this is cut off; the client
  // reconnects with Last-Event-ID and loses nothing.
  std::size_t sse_queue_limit = 4 << 20;
  std::chrono::milliseconds sse_ping_interval{15'000};
  bool debug = false;
};

} // namespace baley::http
