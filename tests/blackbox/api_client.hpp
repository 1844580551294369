// The HTTP API as tests use it: requests with a bearer token against one
// server, and the few steps most tests repeat (create a flow, start an
// execution, wait for its end, read its replay, walk a list's cursors).
// Helpers report a failed step with ADD_FAILURE and return an empty value, so
// a test checks what it got and stops with ASSERT where it must.
#pragma once

#include "http_client.hpp"

#include <boost/json.hpp>

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace baley::testing {

class api_client {
public:
  api_client() = default;
  api_client(std::string base_url, std::string token)
    : base_url_(std::move(base_url)), token_(std::move(token)) {}

  // `path` begins with '/'; the token goes in `Authorization` unless empty.
  http_response send(std::string_view method, const std::string& path,
                     const std::optional<std::string>& body = std::nullopt,
                     header_list headers = {}) const;
  http_response get(const std::string& path, header_list headers = {}) const {
    return send("GET", path, std::nullopt, std::move(headers));
  }
  http_response post(const std::string& path, const std::optional<std::string>& body,
                     header_list headers = {}) const {
    return send("POST", path, body, std::move(headers));
  }
  http_response put(const std::string& path, const std::string& body) const {
    return send("PUT", path, body);
  }
  http_response del(const std::string& path) const { return send("DELETE", path); }

  // POST /api/flows; the new id, "" on failure.
  std::string create_flow(const std::string& flow_json) const;
  // POST /api/connections of the built-in simulated provider streaming a
  // token every token_delay_ms; the new id, "" on failure.
  std::string create_simulated_connection(const std::string& name, int token_delay_ms) const;
  // POST /api/flows/{id}/execute with {"input": input_json}; the execution
  // id from the 202, "" on failure.
  std::string start(const std::string& flow_id, const std::string& input_json = "{}") const;
  // GET /api/executions/{id}; null on failure.
  boost::json::value execution(const std::string& id) const;
  // Polls GET /api/executions/{id} until its status is terminal; the last
  // body read (a failure is added when the deadline passes first).
  boost::json::value wait_terminal(const std::string& id,
                                   std::chrono::milliseconds timeout = std::chrono::seconds(20)) const;
  // Polls GET /api/executions/{id} until it answers 200.
  bool wait_readable(const std::string& id,
                     std::chrono::milliseconds timeout = std::chrono::seconds(10)) const;
  // Polls until the node `node_id` of execution `id` is `running`.
  bool wait_node_running(const std::string& id, const std::string& node_id,
                         std::chrono::milliseconds timeout = std::chrono::seconds(10)) const;
  // GET /api/executions/{id}/replay?fromIndex=N; its `events`.
  boost::json::array replay(const std::string& id, std::uint64_t from_index = 0) const;
  // Every item of a list route, following nextCursor (limit 500 a page).
  boost::json::array list_all(const std::string& path) const;

  const std::string& base_url() const { return base_url_; }
  const std::string& token() const { return token_; }

private:
  std::string base_url_;
  std::string token_;
};

bool is_terminal(std::string_view status);
// 8-4-4-4-12 lowercase-or-uppercase hex with version 7 and variant 10xx.
bool is_uuid_v7(std::string_view text);
// RFC 3339 UTC with milliseconds: 2024-05-01T12:00:00.123Z.
bool is_rfc3339_ms(std::string_view text);
// The string at `key`, "" when absent or not a string.
std::string string_at(const boost::json::value& v, std::string_view key);
// `{"input": <input_json>}`.
std::string input_body(const std::string& input_json);

} // namespace baley::testing
