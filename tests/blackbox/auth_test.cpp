// Who may do what (API.md "Session and tokens"): the admin token of a first
// start, the browser session cookie, API tokens revoked at once, workspaces
// created by the admin only, and a workspace that sees nothing of another
// (404, exactly as if it did not exist).
#include "server_process.hpp"
#include "test_flows.hpp"

#include <gtest/gtest.h>

#include <csignal>
#include <sys/stat.h>

namespace baley::testing {
namespace {
namespace json = boost::json;
using namespace std::chrono_literals;

class auth : public server_test {};

// The `name=value` part of a Set-Cookie header.
std::string cookie_pair(const std::string& set_cookie) {
  return set_cookie.substr(0, set_cookie.find(';'));
}

std::string lower(std::string s) {
  for (auto& c : s)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

TEST_F(auth, first_start_prints_the_admin_token_once_and_keeps_it_in_a_0600_file) {
  ASSERT_FALSE(server_.token_line().empty()) << server_.diagnostics();
  auto line = json::parse(server_.token_line());
  EXPECT_EQ(string_at(line, "file"), server_.data_dir() + "/admin-token");
  ASSERT_FALSE(server_.admin_token().empty());

  struct stat st{};
  ASSERT_EQ(::stat((server_.data_dir() + "/admin-token").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);

  auto current = api_.get("/api/workspaces/current");
  ASSERT_EQ(current.status, 200) << current.body;
  EXPECT_EQ(string_at(current.json(), "name"), "default");
  EXPECT_TRUE(is_uuid_v7(string_at(current.json(), "id"))) << current.body;

  EXPECT_EQ(server_.url(), "http://127.0.0.1:" + std::to_string(server_.port()));
  EXPECT_GT(server_.port(), 0);

  auto token = server_.admin_token();
  EXPECT_EQ(server_.stop(SIGINT), 0) << "SIGINT shuts down gracefully too. "
                                     << server_.diagnostics();
  ASSERT_TRUE(server_.start()) << server_.diagnostics();
  EXPECT_TRUE(server_.token_line().empty()) << "a second start prints no new token";
  EXPECT_EQ(server_.admin_token(), token);
  EXPECT_EQ(server_.admin().get("/api/workspaces/current").status, 200);
}

TEST_F(auth, a_session_cookie_works_until_the_session_is_deleted) {
  // Logged in with the token both as bearer and in the body, so that this
  // holds whichever the server wants; the body alone is the next test.
  json::object body{{"token", server_.admin_token()}};
  auto r = api_.post("/api/session", json::serialize(body));
  ASSERT_EQ(r.status, 204) << r.body;
  EXPECT_TRUE(r.body.empty());
  auto set_cookie = r.headers.get("Set-Cookie");
  ASSERT_TRUE(set_cookie);
  EXPECT_NE(lower(*set_cookie).find("httponly"), std::string::npos) << *set_cookie;
  EXPECT_NE(lower(*set_cookie).find("samesite=strict"), std::string::npos) << *set_cookie;
  EXPECT_EQ(set_cookie->find(server_.admin_token()), std::string::npos)
    << "the cookie is a session, not the token itself";
  auto cookie = cookie_pair(*set_cookie);

  api_client anonymous(server_.url(), "");
  header_list with_cookie = {{"Cookie", cookie}};
  auto current = anonymous.get("/api/workspaces/current", with_cookie);
  EXPECT_EQ(current.status, 200) << current.body;
  EXPECT_EQ(string_at(current.json(), "name"), "default");
  auto flow = anonymous.post("/api/flows", passthrough_flow(), with_cookie);
  EXPECT_EQ(flow.status, 201) << flow.body;

  auto out = anonymous.send("DELETE", "/api/session", std::nullopt, with_cookie);
  EXPECT_EQ(out.status, 204) << out.body;
  EXPECT_EQ(anonymous.get("/api/workspaces/current", with_cookie).status, 401)
    << "a deleted session is refused";
  auto forged = cookie.substr(0, cookie.find('=') + 1);
  forged.append("forged");
  EXPECT_EQ(anonymous.get("/api/workspaces/current", {{"Cookie", forged}}).status, 401);
  EXPECT_EQ(api_.get("/api/workspaces/current").status, 200) << "the token itself still works";

  auto bad = anonymous.post("/api/session", R"({"token":"not-a-token"})",
                            {{"Authorization", "Bearer not-a-token"}});
  EXPECT_EQ(bad.status, 401) << bad.body;
  EXPECT_FALSE(bad.headers.has("Set-Cookie"));
}

TEST_F(auth, a_session_opens_with_the_token_in_the_body_alone) {
  // A login page has the token only as typed in: POST /api/session {"token"}
  // is how it gets its cookie (API.md "Session and tokens").
  api_client anonymous(server_.url(), "");
  json::object body{{"token", server_.admin_token()}};
  auto r = anonymous.post("/api/session", json::serialize(body));
  EXPECT_EQ(r.status, 204) << r.body;
  EXPECT_TRUE(r.headers.has("Set-Cookie"));
  auto bad = anonymous.post("/api/session", R"({"token":"not-a-token"})");
  EXPECT_EQ(bad.status, 401) << bad.body;
  EXPECT_FALSE(bad.headers.has("Set-Cookie"));
}

TEST_F(auth, a_deleted_token_is_refused_at_once) {
  auto r = api_.post("/api/tokens", R"({"name":"ci"})");
  ASSERT_EQ(r.status, 201) << r.body;
  auto id = string_at(r.json(), "id");
  auto token = string_at(r.json(), "token");
  ASSERT_FALSE(token.empty()) << r.body;
  EXPECT_TRUE(is_uuid_v7(id)) << r.body;
  EXPECT_NE(token, server_.admin_token());

  auto ci = server_.client(token);
  EXPECT_EQ(ci.get("/api/flows").status, 200);
  auto current = ci.get("/api/workspaces/current");
  EXPECT_EQ(string_at(current.json(), "name"), "default") << "a token of the same workspace";

  auto gone = api_.del("/api/tokens/" + id);
  EXPECT_EQ(gone.status, 204) << gone.body;
  auto refused = ci.get("/api/flows");
  EXPECT_EQ(refused.status, 401) << refused.body;
  EXPECT_EQ(ci.post("/api/flows", passthrough_flow()).status, 401);
  EXPECT_EQ(api_.del("/api/tokens/" + id).status, 404) << "already deleted";
  EXPECT_EQ(api_.get("/api/flows").status, 200) << "other tokens are untouched";
}

TEST_F(auth, only_the_admin_creates_workspaces) {
  auto r = api_.post("/api/workspaces", R"({"name":"team-b"})");
  ASSERT_EQ(r.status, 201) << r.body;
  auto ws = r.json();
  EXPECT_EQ(string_at(ws, "name"), "team-b");
  EXPECT_TRUE(is_uuid_v7(string_at(ws, "id"))) << r.body;
  auto b = server_.client(string_at(ws, "token"));
  auto current = b.get("/api/workspaces/current");
  ASSERT_EQ(current.status, 200) << current.body;
  EXPECT_EQ(string_at(current.json(), "id"), string_at(ws, "id"));
  EXPECT_EQ(string_at(current.json(), "name"), "team-b");

  auto by_b = b.post("/api/workspaces", R"({"name":"team-c"})");
  EXPECT_TRUE(by_b.status == 401 || by_b.status == 403 || by_b.status == 404)
    << "a workspace token is not the admin: " << by_b.status << " " << by_b.body;

  auto ci = api_.post("/api/tokens", R"({"name":"not-admin"})");
  ASSERT_EQ(ci.status, 201);
  auto by_ci = server_.client(string_at(ci.json(), "token")).post("/api/workspaces",
                                                                    R"({"name":"team-d"})");
  EXPECT_TRUE(by_ci.status == 401 || by_ci.status == 403 || by_ci.status == 404)
    << "a token made with /api/tokens is not the admin: " << by_ci.status << " " << by_ci.body;
  EXPECT_EQ(api_client(server_.url(), "").post("/api/workspaces", R"({"name":"x"})").status, 401);
}

TEST_F(auth, another_workspace_sees_nothing_of_this_one) {
  auto flow = api_.create_flow(delay_flow(50));
  ASSERT_FALSE(flow.empty());
  auto execution = api_.start(flow, R"({"n":1})");
  ASSERT_FALSE(execution.empty());
  api_.wait_terminal(execution);
  EXPECT_EQ(api_.post("/api/flows/" + flow + "/webhook", std::nullopt).status, 201);
  auto own_token = api_.post("/api/tokens", R"({"name":"mine"})");
  auto own_token_id = string_at(own_token.json(), "id");

  auto ws = api_.post("/api/workspaces", R"({"name":"other"})");
  ASSERT_EQ(ws.status, 201) << ws.body;
  auto b = server_.client(string_at(ws.json(), "token"));

  struct probe {
    std::string method, path;
    std::optional<std::string> body;
  };
  std::vector<probe> probes = {
    {"GET", "/api/flows/" + flow, {}},
    {"PUT", "/api/flows/" + flow, passthrough_flow()},
    {"DELETE", "/api/flows/" + flow, {}},
    {"POST", "/api/flows/" + flow + "/execute", R"({"input":{}})"},
    {"GET", "/api/executions/" + execution, {}},
    {"GET", "/api/executions/" + execution + "/stream", {}},
    {"GET", "/api/executions/" + execution + "/replay", {}},
    {"GET", "/api/executions/" + execution + "/audit", {}},
    {"POST", "/api/executions/" + execution + "/cancel", {}},
    {"GET", "/api/flows/" + flow + "/webhook", {}},
    {"POST", "/api/flows/" + flow + "/webhook", {}},
    {"POST", "/api/flows/" + flow + "/webhook/regenerate", {}},
    {"GET", "/api/flows/" + flow + "/webhook/logs", {}},
    {"DELETE", "/api/flows/" + flow + "/webhook", {}},
    {"DELETE", "/api/tokens/" + own_token_id, {}},
  };
  for (const auto& p : probes) {
    auto r = b.send(p.method, p.path, p.body);
    EXPECT_EQ(r.status, 404) << p.method << " " << p.path << " " << r.body.substr(0, 300);
  }
  EXPECT_TRUE(b.list_all("/api/flows").empty());
  EXPECT_TRUE(b.list_all("/api/executions").empty());
  EXPECT_TRUE(b.list_all("/api/executions?flowId=" + flow).empty());

  // Nothing the probes tried took effect.
  EXPECT_EQ(api_.get("/api/flows/" + flow).status, 200);
  EXPECT_EQ(string_at(api_.execution(execution), "status"), "completed");
  EXPECT_EQ(api_.get("/api/flows/" + flow + "/webhook").status, 200);
  EXPECT_EQ(server_.client(string_at(own_token.json(), "token")).get("/api/flows").status, 200);
  EXPECT_EQ(api_.list_all("/api/executions").size(), 1u);

  // And the other way round.
  auto theirs = b.create_flow(passthrough_flow("theirs"));
  ASSERT_FALSE(theirs.empty());
  EXPECT_EQ(api_.get("/api/flows/" + theirs).status, 404);
  EXPECT_EQ(api_.list_all("/api/flows").size(), 1u);
}

} // namespace
} // namespace baley::testing
