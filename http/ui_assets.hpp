// The web page's files (ui/), compiled into the binary by ui/build.mjs: each
// with its bytes, their gzip and an ETag, for the page routes to serve.
#pragma once

#include <string_view>
#include <vector>

namespace baley::http {

struct ui_asset {
  std::string_view path;          // "/index.html", "/assets/app.js", ...
  std::string_view content_type;
  std::string_view etag;          // quoted, as the ETag header carries it
  std::string_view body;
  std::string_view gzip;
};

const std::vector<ui_asset>& ui_assets();

} // namespace baley::http
