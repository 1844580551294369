// HTTP for black-box tests; see http_client.hpp.
#include "http_client.hpp"

#include <curl/curl.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>

namespace baley::testing {
namespace {
bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() &&
         std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

std::string trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' ||
                        s.back() == '\n'))
    s.remove_suffix(1);
  return std::string(s);
}

size_t on_body(char* data, size_t size, size_t n, void* user) {
  static_cast<std::string*>(user)->append(data, size * n);
  return size * n;
}

size_t on_header(char* data, size_t size, size_t n, void* user) {
  auto* headers = static_cast<header_map*>(user);
  std::string_view line(data, size * n);
  if (line.substr(0, 5) == "HTTP/")
    headers->fields.clear();  // a new response (after 100 Continue)
  else
    headers->add_line(line);
  return size * n;
}

struct curl_global {
  curl_global() { curl_global_init(CURL_GLOBAL_DEFAULT); }
};

} // namespace

std::optional<std::string> header_map::get(std::string_view name) const {
  for (const auto& [k, v] : fields)
    if (iequals(k, name))
      return v;
  return std::nullopt;
}

bool header_map::add_line(std::string_view line) {
  auto colon = line.find(':');
  if (colon == std::string_view::npos)
    return false;
  fields.emplace_back(trim(line.substr(0, colon)), trim(line.substr(colon + 1)));
  return true;
}

std::vector<std::string> header_map::all(std::string_view name) const {
  std::vector<std::string> out;
  for (const auto& [k, v] : fields)
    if (iequals(k, name))
      out.push_back(v);
  return out;
}

boost::json::value parse_deep(std::string_view text, boost::system::error_code& ec) {
  boost::json::parse_options options;
  options.max_depth = 100000;  // Boost's default of 32 is below what the API accepts
  return boost::json::parse(text, ec, {}, options);
}

boost::json::value http_response::json() const {
  boost::system::error_code ec;
  auto v = parse_deep(body, ec);
  if (ec) {
    ADD_FAILURE() << "not JSON (status " << status << "): " << body.substr(0, 500);
    return nullptr;
  }
  return v;
}

namespace {
std::string field_of(const std::string& body, const char* name) {
  boost::system::error_code ec;
  auto v = parse_deep(body, ec);
  if (ec || !v.is_object())
    return {};
  auto* f = v.as_object().if_contains(name);
  return f && f->is_string() ? std::string(f->as_string()) : std::string();
}
} // namespace

std::string http_response::code() const { return field_of(body, "code"); }
std::string http_response::error() const { return field_of(body, "error"); }

http_response request(std::string_view method, const std::string& url,
                      const header_list& headers, const std::optional<std::string>& body,
                      std::chrono::milliseconds timeout) {
  static curl_global init;
  http_response r;
  CURL* h = curl_easy_init();
  std::string verb(method);
  curl_easy_setopt(h, CURLOPT_URL, url.c_str());
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(h, CURLOPT_PROXY, "");
  curl_easy_setopt(h, CURLOPT_NOPROXY, "*");
  curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, static_cast<long>(timeout.count()));
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, &r.body);
  curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt(h, CURLOPT_HEADERDATA, &r.headers);
  if (verb == "HEAD")
    curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
  else
    curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, verb.c_str());
  curl_slist* list = curl_slist_append(nullptr, "Expect:");
  bool has_type = false;
  for (const auto& [k, v] : headers) {
    has_type = has_type || iequals(k, "Content-Type");
    list = curl_slist_append(list, (k + ": " + v).c_str());
  }
  if (body) {
    if (!has_type)
      list = curl_slist_append(list, "Content-Type: application/json");
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, body->data());
    curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body->size()));
  }
  curl_easy_setopt(h, CURLOPT_HTTPHEADER, list);
  auto rc = curl_easy_perform(h);
  if (rc == CURLE_OK)
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &r.status);
  else
    r.transport_error = curl_easy_strerror(rc);
  curl_slist_free_all(list);
  curl_easy_cleanup(h);
  return r;
}

} // namespace baley::testing
