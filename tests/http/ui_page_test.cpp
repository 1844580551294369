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

// The path of the asset named `stem`-<hash>.`ext` (ui/build.mjs names each
// asset after its content's hash).
std::string hashed(std::string_view stem, std::string_view ext) {
  for (const auto& a : ui_assets()) {
    std::string_view p = a.path;
    if (p.starts_with("/assets/") && p.substr(8).starts_with(stem) && p.substr(8 + stem.size()).starts_with("-")
        && p.ends_with(ext))
      return std::string(p);
  }
  ADD_FAILURE() << "no asset " << stem << "-*" << ext;
  return {};
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
  const auto app = hashed("app", ".js");
  const auto css = hashed("app", ".css");
  EXPECT_NE(index.body.find("src=\"" + app + "\""), std::string_view::npos) << index.body;
  EXPECT_NE(index.body.find("href=\"" + css + "\""), std::string_view::npos) << index.body;
  auto js = ui_response(get(app));
  EXPECT_EQ(js.status, 200);
  EXPECT_EQ(js.body, asset(app).body);
  EXPECT_EQ(js.content_type, "text/javascript; charset=utf-8");
  EXPECT_EQ(ui_response(get(css)).content_type, "text/css; charset=utf-8");
  EXPECT_EQ(ui_response(get(hashed("execution_worker", ".js"))).status, 200);
  EXPECT_EQ(ui_response(get("/assets/missing.js")).status, 404);
}

TEST(ui_page, assets_are_kept_for_good_and_the_page_asked_for_each_time) {
  EXPECT_EQ(header(ui_response(get("/executions")), "Cache-Control"), "no-cache");
  for (const auto& a : ui_assets()) {
    if (a.path == "/index.html")
      continue;
    EXPECT_EQ(header(ui_response(get(std::string(a.path))), "Cache-Control"),
              "public, max-age=31536000, immutable") << a.path;
  }
}

TEST(ui_page, the_etag_the_client_holds_is_304_without_a_body) {
  auto first = ui_response(get("/executions"));
  auto etag = header(first, "ETag");
  ASSERT_FALSE(etag.empty());
  auto again = ui_response(get("/executions", {{"if-none-match", etag}}));
  EXPECT_EQ(again.status, 304);
  EXPECT_TRUE(again.body.empty());
  EXPECT_EQ(ui_response(get("/executions", {{"if-none-match", "\"other\""}})).status, 200);
}

TEST(ui_page, gzip_only_when_the_client_accepts_it) {
  const auto app = hashed("app", ".js");
  const auto& js = asset(app);
  EXPECT_LT(js.gzip.size(), js.body.size());
  EXPECT_EQ(gunzip(js.gzip), js.body);
  for (const char* accept : {"gzip", "gzip, deflate, br", "br;q=1.0, gzip;q=0.8", "*"}) {
    auto r = ui_response(get(app, {{"accept-encoding", accept}}));
    EXPECT_EQ(header(r, "Content-Encoding"), "gzip") << accept;
    EXPECT_EQ(r.body, js.gzip) << accept;
  }
  for (const char* accept : {"", "br", "gzip;q=0", "deflate, gzip;q=0.0"}) {
    auto r = ui_response(get(app, {{"accept-encoding", accept}}));
    EXPECT_EQ(header(r, "Content-Encoding"), "") << accept;
    EXPECT_EQ(r.body, js.body) << accept;
  }
  EXPECT_EQ(header(ui_response(get(app)), "Vary"), "Accept-Encoding");
}

TEST(ui_page, what_is_shipped_stays_within_100_kb_gzipped) {
  std::size_t shipped = 0;
  for (const auto& a : ui_assets())
    shipped += a.gzip.size();
  EXPECT_LE(shipped, 100u * 1024) << "JavaScript and CSS, gzipped";
}

} // namespace
} // namespace baley::http
