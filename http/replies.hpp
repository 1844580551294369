// Answers to API calls: JSON, errors ({"error","code"}), 404, 204, and the one
// mapping from an error code to its HTTP status (API.md).
#pragma once

#include "http/api_call.hpp"

#include <boost/json/value.hpp>

#include <optional>
#include <string>
#include <string_view>

namespace baley::http {

// The status API.md gives an error code: 400 for invalid input of any kind,
// 401, 403, 404, 409 for a state conflict, 413, 429, 503 when the log cannot
// take writes, 500 for the rest (a broken log or an internal error).
int http_status_of(std::string_view code);

// `baley serve --debug`: 500 answers then carry "debug": {"detail",
// "stackTrace"}. Process-wide; off unless set, and never set otherwise.
void set_debug_answers(bool on);

// The error answer reply_error sends: error_response's, and for a 500 with
// debug answers on, {"error","code","debug":{"detail","stackTrace"}}.
http_response error_answer(int status, std::string_view code, std::string_view message);

void reply(const api_call_ptr& call, http_response response);
void reply_json(const api_call_ptr& call, int status, const boost::json::value& body);
void reply_error(const api_call_ptr& call, int status, std::string_view code,
                 std::string_view message);
// An error with the status of its code.
void reply_error(const api_call_ptr& call, const error& failure);
void reply_not_found(const api_call_ptr& call, std::string_view what);
// 204 with no body (and, say, a Set-Cookie header).
void reply_no_content(const api_call_ptr& call, std::optional<std::string> set_cookie = {});

} // namespace baley::http
