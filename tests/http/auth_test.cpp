// Tests of authentication: the bearer token or the baley_session cookie,
// looked up by SHA-256 in the catalog; 401 cases; new token secrets.
#include "http/auth.hpp"

#include <gtest/gtest.h>

#include "http/credentials.hpp"

#include <string>

namespace baley::http {
namespace {

using runtime::token_role;

http_request with_headers(std::vector<std::pair<std::string, std::string>> headers) {
  http_request request;
  request.method = "GET";
  request.path = "/api/flows";
  request.headers = std::move(headers);
  return request;
}

class auth_catalog {
public:
  auth_catalog() {
    apply(runtime::workspace_created{"ws1", "default"});
    apply(runtime::workspace_created{"ws2", "other"});
    add_token("tok-admin", "ws1", "admin-secret", token_role::admin);
    add_token("tok-member", "ws2", "member-secret", token_role::member);
    add_token("tok-session", "ws1", "session-secret", token_role::session);
  }
  void add_token(std::string id, std::string ws, const std::string& secret, token_role role) {
    apply(runtime::token_created{std::move(id), std::move(ws), "name", sha256_hex(secret), role});
  }
  void apply(runtime::config_event_payload payload) {
    catalog.apply(runtime::config_event{.ts = 1, .payload = std::move(payload)});
  }
  std::optional<authenticated> auth(std::vector<std::pair<std::string, std::string>> headers) {
    return authenticate(catalog, with_headers(std::move(headers)));
  }
  runtime::catalog catalog;
};

TEST(auth, a_bearer_token_speaks_for_its_workspace_with_its_role) {
  auth_catalog c;
  auto admin = c.auth({{"authorization", "Bearer admin-secret"}});
  ASSERT_TRUE(admin);
  EXPECT_EQ(admin->workspace_id, "ws1");
  EXPECT_EQ(admin->token_id, "tok-admin");
  EXPECT_EQ(admin->role, token_role::admin);
  auto member = c.auth({{"authorization", "Bearer member-secret"}});
  ASSERT_TRUE(member);
  EXPECT_EQ(member->workspace_id, "ws2");
  EXPECT_EQ(member->token_id, "tok-member");
  EXPECT_EQ(member->role, token_role::member);
}

TEST(auth, the_scheme_name_is_case_insensitive_and_the_secret_is_not) {
  auth_catalog c;
  for (const char* scheme : {"bearer ", "BEARER ", "bEaReR "}) {
    auto who = c.auth({{"authorization", std::string(scheme) + "admin-secret"}});
    ASSERT_TRUE(who) << scheme;
    EXPECT_EQ(who->token_id, "tok-admin");
  }
  EXPECT_FALSE(c.auth({{"authorization", "bearer ADMIN-SECRET"}}));
  EXPECT_FALSE(c.auth({{"authorization", "bearerx admin-secret"}}));
}

TEST(auth, the_session_cookie_is_a_credential_too) {
  auth_catalog c;
  auto who = c.auth({{"cookie", "theme=dark; baley_session=session-secret; lang=en"}});
  ASSERT_TRUE(who);
  EXPECT_EQ(who->token_id, "tok-session");
  EXPECT_EQ(who->role, token_role::session);
}

TEST(auth, the_bearer_token_wins_over_the_cookie_and_a_non_bearer_header_falls_back_to_it) {
  auth_catalog c;
  auto both = c.auth({{"authorization", "Bearer member-secret"},
                      {"cookie", "baley_session=admin-secret"}});
  ASSERT_TRUE(both);
  EXPECT_EQ(both->token_id, "tok-member");
  for (const char* header : {"Basic YWxhZGRpbjpvcGVuc2VzYW1l", "Bearer ", "Bearer", "admin"}) {
    auto who = c.auth({{"authorization", header}, {"cookie", "baley_session=admin-secret"}});
    ASSERT_TRUE(who) << header;
    EXPECT_EQ(who->token_id, "tok-admin") << header;
  }
  // A bad bearer token does not fall back: it is refused.
  EXPECT_FALSE(c.auth({{"authorization", "Bearer wrong"},
                       {"cookie", "baley_session=admin-secret"}}));
}

TEST(auth, no_credential_or_an_unknown_one_is_refused) {
  auth_catalog c;
  EXPECT_FALSE(c.auth({}));
  EXPECT_FALSE(c.auth({{"authorization", ""}}));
  EXPECT_FALSE(c.auth({{"authorization", "Bearer "}}));
  EXPECT_FALSE(c.auth({{"authorization", "Bearer unknown"}}));
  EXPECT_FALSE(c.auth({{"authorization", "Bearer admin-secret "}}));
  EXPECT_FALSE(c.auth({{"authorization", "Bearer  admin-secret"}}));
  EXPECT_FALSE(c.auth({{"authorization", "Bearer ADMIN-SECRET"}}));
  EXPECT_FALSE(c.auth({{"authorization", "admin-secret"}}));
  EXPECT_FALSE(c.auth({{"cookie", "baley_session="}}));
  EXPECT_FALSE(c.auth({{"cookie", "other_session=admin-secret"}}));
  // The token's hash is no credential.
  EXPECT_FALSE(c.auth({{"authorization", "Bearer " + sha256_hex("admin-secret")}}));
}

TEST(auth, a_revoked_token_or_one_without_its_workspace_is_refused) {
  auth_catalog c;
  c.apply(runtime::token_revoked{"tok-member"});
  EXPECT_FALSE(c.auth({{"authorization", "Bearer member-secret"}}));
  EXPECT_TRUE(c.auth({{"authorization", "Bearer admin-secret"}}));
  c.add_token("tok-orphan", "ws-gone", "orphan-secret", token_role::admin);
  EXPECT_FALSE(c.auth({{"authorization", "Bearer orphan-secret"}}));
}

TEST(auth, secrets_longer_than_256_bytes_are_refused_without_a_lookup) {
  auth_catalog c;
  std::string longest(256, 'a');
  std::string too_long(257, 'a');
  c.add_token("tok-256", "ws1", longest, token_role::member);
  c.add_token("tok-257", "ws1", too_long, token_role::member);
  auto ok = c.auth({{"authorization", "Bearer " + longest}});
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->token_id, "tok-256");
  EXPECT_FALSE(c.auth({{"authorization", "Bearer " + too_long}}));
  EXPECT_FALSE(c.auth({{"cookie", "baley_session=" + too_long}}));
}

TEST(auth, session_cookie_finds_baley_session_among_the_cookies) {
  auto cookie = [](std::string value) {
    auto request = with_headers({{"cookie", std::move(value)}});
    return std::string(session_cookie(request));
  };
  EXPECT_EQ(cookie("baley_session=abc"), "abc");
  EXPECT_EQ(cookie("a=1; baley_session=abc; b=2"), "abc");
  EXPECT_EQ(cookie("a=1;baley_session=abc"), "abc");
  EXPECT_EQ(cookie("a=1;   baley_session=abc"), "abc");
  EXPECT_EQ(cookie("baley_session_old=x; baley_session=new"), "new");
  EXPECT_EQ(cookie("baley_session=first; baley_session=second"), "first");
  EXPECT_EQ(cookie("xbaley_session=abc"), "");
  EXPECT_EQ(cookie("Baley_Session=abc"), "");
  EXPECT_EQ(cookie("baley_session"), "");
  EXPECT_EQ(cookie("baley_session="), "");
  EXPECT_EQ(cookie("a=1;"), "");
  EXPECT_EQ(cookie(""), "");
  EXPECT_EQ(cookie(";;; baley_session=v;"), "v");
  EXPECT_EQ(session_cookie(with_headers({})), "");
}

TEST(auth, new_token_secrets_are_bly_and_43_base64url_characters) {
  auto a = new_token_secret();
  auto b = new_token_secret();
  ASSERT_TRUE(a && b);
  EXPECT_EQ(a->substr(0, 4), "bly_");
  EXPECT_EQ(a->size(), 4u + 43u);
  EXPECT_EQ(a->find_first_not_of(
              "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_", 4),
            std::string::npos) << *a;
  EXPECT_NE(*a, *b);
}

} // namespace
} // namespace baley::http
