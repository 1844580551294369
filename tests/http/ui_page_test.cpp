// Tests of the web page's answers: every page path is the index, an asset is
// its own file, an ETag the client holds is 304, gzip only when accepted,
// and the page keeps to its own origin.
#include "http/ui_page.hpp"

#include "http/ui_assets.hpp"

#include <gtest/gtest.h>

#include <zlib.h>

namespace baley::http {
namespace {

http_request get(std::string path, std::vector<std::pair<std::string, std::string>> headers = {}) {
  http_request r;
  r.method = "GET";
  r.path = std::move(path);
  r.headers = std::move(headers);
  return r;
}

std::string header(const http_response& r, std::string_view name) {
  for (const auto& [k, v] : r.headers)
    if (k == name)
      return v;
  return {};
}

const ui_asset& asset(std::string_view path) {
  for (const auto& a : ui_assets())
    if (a.path == path)
      return a;
  ADD_FAILURE() << "no asset " << path;
  return ui_assets().front();
}

std::string gunzip(std::string_view bytes) {
  z_stream z{};
  inflateInit2(&z, 16 + MAX_WBITS);
  std::string out(1 << 20, '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(bytes.data()));
  z.avail_in = static_cast<uInt>(bytes.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  inflate(&z, Z_FINISH);
  out.resize(z.total_out);
  inflateEnd(&z);
  return out;
}

TEST(ui_page, every_page_path_is_the_index_and_an_asset_its_file) {
  const auto& index = asset("/index.html");
  for (const char* path : {"/", "/executions", "/executions/abc", "/signin", "/analytics"}) {
    auto r = ui_response(get(path));
    EXPECT_EQ(r.status, 200) << path;
    EXPECT_EQ(r.body, index.body) << path;
    EXPECT_EQ(r.content_type, "text/html; charset=utf-8");
    EXPECT_NE(header(r, "Content-Security-Policy").find("default-src 'self'"), std::string::npos);
  }
  auto js = ui_response(get("/assets/app.js"));
  EXPECT_EQ(js.status, 200);
  EXPECT_EQ(js.body, asset("/assets/app.js").body);
  EXPECT_EQ(js.content_type, "text/javascript; charset=utf-8");
  EXPECT_EQ(ui_response(get("/assets/app.css")).content_type, "text/css; charset=utf-8");
  EXPECT_EQ(ui_response(get("/assets/missing.js")).status, 404);
}

TEST(ui_page, the_etag_the_client_holds_is_304_without_a_body) {
  auto first = ui_response(get("/assets/app.js"));
  auto etag = header(first, "ETag");
  ASSERT_FALSE(etag.empty());
  EXPECT_EQ(header(first, "Cache-Control"), "no-cache");
  auto again = ui_response(get("/assets/app.js", {{"if-none-match", etag}}));
  EXPECT_EQ(again.status, 304);
  EXPECT_TRUE(again.body.empty());
  EXPECT_EQ(ui_response(get("/assets/app.js", {{"if-none-match", "\"other\""}})).status, 200);
}

TEST(ui_page, gzip_only_when_the_client_accepts_it) {
  const auto& js = asset("/assets/app.js");
  EXPECT_LT(js.gzip.size(), js.body.size());
  EXPECT_EQ(gunzip(js.gzip), js.body);
  for (const char* accept : {"gzip", "gzip, deflate, br", "br;q=1.0, gzip;q=0.8", "*"}) {
    auto r = ui_response(get("/assets/app.js", {{"accept-encoding", accept}}));
    EXPECT_EQ(header(r, "Content-Encoding"), "gzip") << accept;
    EXPECT_EQ(r.body, js.gzip) << accept;
  }
  for (const char* accept : {"", "br", "gzip;q=0", "deflate, gzip;q=0.0"}) {
    auto r = ui_response(get("/assets/app.js", {{"accept-encoding", accept}}));
    EXPECT_EQ(header(r, "Content-Encoding"), "") << accept;
    EXPECT_EQ(r.body, js.body) << accept;
  }
  EXPECT_EQ(header(ui_response(get("/assets/app.js")), "Vary"), "Accept-Encoding");
}

TEST(ui_page, what_is_shipped_stays_within_100_kb_gzipped) {
  std::size_t shipped = 0;
  for (const auto& a : ui_assets())
    shipped += a.gzip.size();
  EXPECT_LE(shipped, 100u * 1024) << "JavaScript and CSS, gzipped";
}

} // namespace
} // namespace baley::http
