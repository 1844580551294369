// Reads an execution's SSE stream the way the contract frames it (API.md "SSE
// stream"): `retry:` first, then `id: N` + `data: {"index":N,"event":…}`
// messages, then `data: [DONE]` and the end of the response. Collects what
// arrived and every way it strayed from that, for the SSE tests.
#pragma once

#include "sse_client.hpp"

#include <boost/json.hpp>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace baley::testing {

struct stream_result {
  int status = 0;
  std::optional<long> first_retry;     // the `retry:` value, when it came first
  std::vector<std::uint64_t> indexes;  // message ids, in arrival order
  std::vector<boost::json::value> events;  // data.event of each message
  bool done = false;    // `data: [DONE]` arrived
  bool closed = false;  // the response ended
  std::vector<std::string> problems;  // framing errors, in words
  std::string body;     // the bytes received
};

// GET `path` as an SSE client and read until the response ends (after
// [DONE]), or, when `max_messages` is set, until that many messages arrived
// (then the connection is dropped). Gives up at `timeout`.
stream_result read_stream(int port, const std::string& path, const header_list& headers,
                          std::optional<std::size_t> max_messages = std::nullopt,
                          std::chrono::milliseconds timeout = std::chrono::seconds(20));

// A client that drops the connection after each message and reconnects with
// `Last-Event-ID` = the last id it saw, until [DONE]: every index in arrival
// order. `problems` gathers framing errors of every connection.
struct resume_result {
  std::vector<std::uint64_t> indexes;
  int connections = 0;
  bool done = false;
  std::vector<std::string> problems;
};
resume_result read_with_reconnects(int port, const std::string& path,
                                   const header_list& headers, int messages_per_connection = 1,
                                   std::chrono::milliseconds timeout = std::chrono::seconds(30));

} // namespace baley::testing
