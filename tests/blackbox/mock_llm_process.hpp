// The mock LLM provider (tools/mock_llm/server.mjs) as a child process for
// black-box tests: `node server.mjs --host 127.0.0.1 --port 0`, ready once it
// prints its listening line, its stderr kept in a temp file for failure
// messages, stopped with SIGTERM at destruction (SIGKILL after 5 s). Scripted
// and inspected over its control routes: /_script, /_requests, /_timings.
// The server writes nothing to stdout after the listening line, so nobody
// needs to drain the pipe.
#pragma once

#include "http_client.hpp"
#include "process.hpp"

#include <boost/json.hpp>

#include <memory>
#include <string>

namespace baley::testing {

// True when `node` runs (asked once per test process).
bool node_available();

class mock_llm_process {
public:
  // Starts the server and waits up to 10 s for it; check started().
  mock_llm_process();
  ~mock_llm_process();
  mock_llm_process(const mock_llm_process&) = delete;
  mock_llm_process& operator=(const mock_llm_process&) = delete;

  bool started() const { return port_ > 0; }
  int port() const { return port_; }
  // http://127.0.0.1:PORT — a provider connection's baseUrl.
  const std::string& base_url() const { return base_url_; }

  // Appends behaviours (a JSON array, or one object) to the FIFO script;
  // the control route's answer (200, or 400 naming a bad behaviour).
  http_response script(const std::string& json_array_text) const;
  // Every LLM request recorded so far, oldest first (GET /_requests).
  boost::json::array requests() const;
  // Per LLM request, the write time of each token (GET /_timings).
  boost::json::array timings() const;
  // Empties the script, the recorded requests and the timings.
  void clear() const;

  // SIGTERM and reap (SIGKILL after 5 s); the exit code, -1 on a signal.
  int stop();
  // Why it did not start, and its stderr, for assertion messages.
  std::string diagnostics() const;

private:
  boost::json::array get_array(const std::string& path) const;
  temp_dir scratch_;
  std::string stderr_path_;
  std::unique_ptr<child_process> child_;
  int port_ = 0;
  std::string base_url_;
  std::string problem_;
};

} // namespace baley::testing
