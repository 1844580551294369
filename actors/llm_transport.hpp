// Outbound HTTP for LLM providers: one thread running a libcurl multi handle
// for every transfer of the process. Bodies stream to callbacks as they
// arrive; a transfer can be aborted from any thread and stops within one
// poll wake-up (curl_multi_wakeup), well under 100 ms.
//
// Threads: start() and abort() are thread-safe. The callbacks run on the
// transport thread, in order (headers, then data, then done exactly once,
// aborted transfers included) and must not block: they post messages.
#pragma once

#include "runtime/llm/provider_errors.hpp"

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace baley::actors {

struct transfer_request {
  std::string url;
  std::vector<std::string> headers;  // "Name: value"
  std::string body;                  // POSTed
  std::chrono::milliseconds connect_timeout{10'000};
  std::chrono::milliseconds idle_timeout{60'000};  // no byte for this long
  std::chrono::milliseconds total_timeout{120'000};
};

struct transfer_result {
  long status = 0;                               // HTTP status; 0 if none came
  std::optional<runtime::transport_error> failure;  // a transport failure
  std::string detail;                            // curl's description of it
  std::string retry_after;                       // the Retry-After header, if any
  bool aborted = false;
};

struct transfer_events {
  std::function<void(long status)> on_status;       // once, before any data
  std::function<void(std::string bytes)> on_data;   // body bytes as they come
  std::function<void(transfer_result)> on_done;     // exactly once
};

class llm_transport {
public:
  llm_transport();
  ~llm_transport();  // aborts what is left and joins the thread
  llm_transport(const llm_transport&) = delete;
  llm_transport& operator=(const llm_transport&) = delete;

  std::uint64_t start(transfer_request request, transfer_events events);
  void abort(std::uint64_t transfer);

private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

} // namespace baley::actors
