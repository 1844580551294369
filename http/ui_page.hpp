// The web page's answers (API.md leaves these paths to the page): each page
// path gets index.html, /assets/<name> its file; an If-None-Match that names
// the ETag gets 304, and a client that accepts gzip gets the gzip bytes.
#pragma once

#include "http/exchange.hpp"

namespace baley::http {

http_response ui_response(const http_request& request);

} // namespace baley::http
