// The mock LLM provider as a child process; see mock_llm_process.hpp.
#include "mock_llm_process.hpp"

#include <gtest/gtest.h>

#include <csignal>
#include <fstream>
#include <sstream>
#include <thread>

namespace baley::testing {
namespace json = boost::json;
using namespace std::chrono_literals;
using clock_type = std::chrono::steady_clock;


bool node_available() {
  static const bool available =
    run_process({"/usr/bin/env", "node", "--version"}).exit_code == 0;
  return available;
}

mock_llm_process::mock_llm_process() : stderr_path_(scratch_.path + "/mock_llm.stderr") {
  const std::string server = std::string(BALEY_SOURCE_DIR) + "/tools/mock_llm/server.mjs";
  child_ = std::make_unique<child_process>(std::vector<std::string>{
    "/bin/sh", "-c", "exec \"$@\" 2>>'" + stderr_path_ + "'", "sh", "/usr/bin/env", "node",
    server, "--host", "127.0.0.1", "--port", "0"});
  auto deadline = clock_type::now() + 10s;
  while (port_ == 0) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - clock_type::now());
    auto line = left.count() > 0 ? child_->read_line(left) : std::nullopt;
    if (!line) {
      problem_ = "no listening line from " + server + " within 10 s";
      stop();
      return;
    }
    boost::system::error_code ec;
    auto v = json::parse(*line, ec);
    if (ec || !v.is_object())
      continue;
    const auto& o = v.as_object();
    auto* msg = o.if_contains("msg");
    auto* port = o.if_contains("port");
    if (msg && msg->is_string() && msg->as_string() == "listening" && port && port->is_number())
      port_ = static_cast<int>(port->to_number<std::int64_t>());
  }
  base_url_ = "http://127.0.0.1:" + std::to_string(port_);
}

mock_llm_process::~mock_llm_process() { stop(); }

int mock_llm_process::stop() {
  if (!child_)
    return -1;
  child_->signal(SIGTERM);
  if (!wait_exit(child_->pid(), 5s))
    child_->kill_hard();
  auto r = child_->wait();
  child_.reset();
  return r.exit_code;
}

http_response mock_llm_process::script(const std::string& json_array_text) const {
  return request("POST", base_url_ + "/_script", {}, json_array_text, 10s);
}

json::array mock_llm_process::get_array(const std::string& path) const {
  auto r = request("GET", base_url_ + path, {}, std::nullopt, 10s);
  if (r.status != 200) {
    ADD_FAILURE() << "GET " << path << " on the mock LLM: " << r.status << " "
                  << r.transport_error << r.body;
    return {};
  }
  auto v = r.json();
  if (!v.is_array()) {
    ADD_FAILURE() << "GET " << path << " on the mock LLM: not an array: " << r.body;
    return {};
  }
  return v.as_array();
}

json::array mock_llm_process::requests() const { return get_array("/_requests"); }
json::array mock_llm_process::timings() const { return get_array("/_timings"); }

void mock_llm_process::clear() const {
  auto r = request("POST", base_url_ + "/_reset", {}, std::string("{}"), 10s);
  if (r.status != 200)
    ADD_FAILURE() << "POST /_reset on the mock LLM: " << r.status << " " << r.transport_error;
}

std::string mock_llm_process::diagnostics() const {
  auto err = read_text(stderr_path_);
  return (problem_.empty() ? "" : problem_ + "\n") + "--- mock_llm stderr (tail)\n" +
         (err.size() > 4000 ? err.substr(err.size() - 4000) : err);
}

} // namespace baley::testing
