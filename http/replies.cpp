// Replies and the error-to-status table; see replies.hpp.
#include "http/replies.hpp"

#include "os/stack_trace.hpp"

#include <boost/json.hpp>

#include <array>
#include <atomic>
#include <utility>

namespace baley::http {
namespace {

constexpr std::array<std::pair<std::string_view, int>, 30> statuses = {{
  // What the caller sent.
  {"invalid_json", 400},
  {"invalid_request", 400},
  {"invalid_input", 400},
  {"invalid_flow", 400},
  {"invalid_query", 400},
  {"invalid_block", 400},
  {"invalid_connection", 400},
  {"invalid_last_event_id", 400},
  {"invalid_cursor", 400},
  {"invalid_page", 400},
  {"invalid_feedback", 400},
  {"invalid_category", 400},
  {"invalid_pattern", 400},
  {"unauthorized", 401},
  {"forbidden", 403},
  {"not_found", 404},
  {"method_not_allowed", 405},
  // The state of what it asked about.
  {"flow_disabled", 409},
  {"invalid_state", 409},
  {"webhook_exists", 409},
  {"category_exists", 409},
  {"conflict", 409},
  {"category_built_in", 409},
  {"body_too_large", 413},
  {"rate_limited", 429},
  // The log cannot take writes now.
  {"log_failed", 503},
  {"log_closed", 503},
  {"io_error", 503},
  {"data_dir_locked", 503},
  {"jq_unavailable", 503},
}};

std::atomic<bool> debug_answers{false};

} // namespace

int http_status_of(std::string_view code) {
  for (auto [name, status] : statuses)
    if (name == code)
      return status;
  return 500;  // ours: a broken log ("corrupt_log"), an internal error
}

void reply(const api_call_ptr& call, http_response response) {
  call->exchange->reply(std::move(response));
}

void reply_json(const api_call_ptr& call, int status, const boost::json::value& body) {
  reply(call, json_response(status, body));
}

void set_debug_answers(bool on) { debug_answers.store(on, std::memory_order_relaxed); }

http_response error_answer(int status, std::string_view code, std::string_view message) {
  auto response = error_response(status, code, message);
  if (status == 500 && debug_answers.load(std::memory_order_relaxed)) {
    boost::json::object body{{"error", message},
                             {"code", code},
                             {"debug", {{"detail", std::string(code) + ": " + std::string(message)},
                                        {"stackTrace", os::current_stack_trace()}}}};
    response.body = boost::json::serialize(body);
  }
  return response;
}

void reply_error(const api_call_ptr& call, int status, std::string_view code,
                 std::string_view message) {
  reply(call, error_answer(status, code, message));
}

void reply_error(const api_call_ptr& call, const error& failure) {
  reply_error(call, http_status_of(failure.code), failure.code, failure.message);
}

void reply_not_found(const api_call_ptr& call, std::string_view what) {
  reply_error(call, 404, "not_found", std::string(what) + " not found");
}

void reply_no_content(const api_call_ptr& call, std::optional<std::string> set_cookie) {
  http_response r;
  r.status = 204;
  r.content_type.clear();
  if (set_cookie)
    r.headers.emplace_back("Set-Cookie", std::move(*set_cookie));
  reply(call, std::move(r));
}

} // namespace baley::http
