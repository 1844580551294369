// ui_response: the asset a path names, with ETag, gzip and the headers that
// keep the page to its own origin.
#include "http/ui_page.hpp"

#include "http/ui_assets.hpp"

#include <algorithm>

namespace baley::http {
namespace {

const ui_asset* find_asset(std::string_view path) {
  const auto& all = ui_assets();
  auto it = std::find_if(all.begin(), all.end(), [path](const ui_asset& a) { return a.path == path; });
  return it == all.end() ? nullptr : &*it;
}

// Whether Accept-Encoding lets gzip through ("gzip", "gzip;q=0.5", "*"),
// not when it is refused with q=0.
bool accepts_gzip(std::string_view accept) {
  for (std::size_t at = 0; at < accept.size();) {
    auto end = std::min(accept.find(',', at), accept.size());
    auto item = accept.substr(at, end - at);
    at = end + 1;
    while (!item.empty() && item.front() == ' ')
      item.remove_prefix(1);
    auto name = item.substr(0, item.find(';'));
    while (!name.empty() && name.back() == ' ')
      name.remove_suffix(1);
    if (name != "gzip" && name != "*")
      continue;
    auto q = item.find("q=");
    if (q == std::string_view::npos)
      return true;
    auto value = item.substr(q + 2);
    return !(value.starts_with("0") && value.find_first_not_of("0.") == std::string_view::npos
             && value.find_first_of("123456789") == std::string_view::npos);
  }
  return false;
}

} // namespace

http_response ui_response(const http_request& request) {
  const bool is_asset = request.path.starts_with("/assets/");
  const auto* asset = find_asset(is_asset ? std::string_view(request.path) : "/index.html");
  if (!asset)
    return error_response(404, "not_found", "no such file: " + request.path);
  http_response r;
  r.content_type = std::string(asset->content_type);
  r.headers.emplace_back("ETag", std::string(asset->etag));
  // An asset's name carries its content's hash (ui/build.mjs): kept for good.
  // The page itself is asked for each time, so a new build shows at once.
  r.headers.emplace_back("Cache-Control",
                         is_asset ? "public, max-age=31536000, immutable" : "no-cache");
  r.headers.emplace_back("Vary", "Accept-Encoding");
  r.headers.emplace_back("X-Content-Type-Options", "nosniff");
  if (!is_asset) {
    r.headers.emplace_back("Content-Security-Policy",
                           "default-src 'self'; img-src 'self' data: blob:; "
                           "style-src 'self' 'unsafe-inline'; frame-ancestors 'none'");
    r.headers.emplace_back("Referrer-Policy", "same-origin");
  }
  if (request.header("if-none-match") == asset->etag) {
    r.status = 304;
    return r;
  }
  if (accepts_gzip(request.header("accept-encoding"))) {
    r.headers.emplace_back("Content-Encoding", "gzip");
    r.body = std::string(asset->gzip);
  } else {
    r.body = std::string(asset->body);
  }
  return r;
}

} // namespace baley::http
