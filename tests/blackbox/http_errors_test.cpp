// Requests the server refuses (API.md "Conventions"): 401 without a valid
// token, 404 for an unknown route, 405 with Allow, 413 before reading a body
// over the limit, 400 invalid_json with the parse position, nesting over 64,
// a malformed Last-Event-ID. Each answer is the {"error","code"} body, and
// none of these requests writes anything.
#include "raw_tcp.hpp"
#include "server_process.hpp"
#include "test_flows.hpp"

#include <gtest/gtest.h>

namespace baley::testing {
namespace {
namespace json = boost::json;
using namespace std::chrono_literals;

class http_errors : public server_test {
protected:
  void SetUp() override {
    server_test::SetUp();
    if (IsSkipped() || HasFatalFailure())
      return;
    flow_id_ = api_.create_flow(doubling_flow());
    ASSERT_FALSE(flow_id_.empty());
    execution_id_ = api_.start(flow_id_, R"({"n":1})");
    ASSERT_FALSE(execution_id_.empty());
    api_.wait_terminal(execution_id_);
    before_ = snapshot();
    // The log itself, counted by `baley audit` while the server is stopped
    // (RocksDB allows one process): every stream, configuration included.
    ASSERT_EQ(server_.stop(), 0) << server_.diagnostics();
    events_before_ = audited_events();
    ASSERT_TRUE(server_.start()) << server_.diagnostics();
    api_ = server_.admin();
  }

  std::int64_t audited_events() const {
    auto r = run_process(baley({"audit", "--data", server_.data_dir()}));
    last_audit_ = r.out + r.err;
    boost::system::error_code ec;
    auto v = json::parse(r.out, ec);
    if (ec || !v.is_object() || !v.as_object().contains("events")) {
      ADD_FAILURE() << "baley audit: " << r.out << r.err;
      return -1;
    }
    return v.at("events").to_number<std::int64_t>();
  }

  // What a refused request must leave as it was.
  struct counts {
    std::size_t flows = 0, executions = 0, events = 0;
    bool operator==(const counts&) const = default;
  };
  counts snapshot() const {
    return {api_.list_all("/api/flows").size(), api_.list_all("/api/executions").size(),
            api_.replay(execution_id_).size()};
  }
  void TearDown() override {
    if (!IsSkipped() && !HasFatalFailure() && !flow_id_.empty()) {
      auto after = snapshot();
      EXPECT_EQ(after.flows, before_.flows) << "a refused request created a flow";
      EXPECT_EQ(after.executions, before_.executions) << "a refused request started something";
      EXPECT_EQ(after.events, before_.events) << "a refused request wrote events";
      ASSERT_EQ(server_.stop(), 0) << server_.diagnostics();
      EXPECT_EQ(audited_events(), events_before_ + extra_events_)
        << "the log changed: a refused request wrote something? baley audit: " << last_audit_;
    }
  }

  // `{"error","code"}` with both strings non-empty.
  static void expect_error_body(const http_response& r, const std::string& code = {}) {
    auto v = r.json();
    ASSERT_TRUE(v.is_object()) << r.body;
    EXPECT_FALSE(string_at(v, "error").empty()) << r.body;
    EXPECT_FALSE(string_at(v, "code").empty()) << r.body;
    if (!code.empty()) {
      EXPECT_EQ(string_at(v, "code"), code) << r.body;
    }
    EXPECT_NE(r.headers.get("Content-Type").value_or("").find("application/json"),
              std::string::npos);
  }

  std::string raw_head(const std::string& method, const std::string& path,
                       const std::string& extra) const {
    return method + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " +
           server_.admin_token() + "\r\n" + extra + "\r\n";
  }

  std::string flow_id_, execution_id_;
  counts before_;
  std::int64_t events_before_ = 0;
  mutable std::string last_audit_;
  std::int64_t extra_events_ = 0;  // written by requests a test meant to succeed
};

TEST_F(http_errors, no_token_is_401) {
  api_client anonymous(server_.url(), "");
  for (const auto& path : std::vector<std::string>{
         "/api/flows", "/api/executions", "/api/workspaces/current",
         "/api/executions/" + execution_id_, "/api/flows/" + flow_id_}) {
    auto r = anonymous.get(path);
    EXPECT_EQ(r.status, 401) << path << " " << r.body;
    expect_error_body(r);
  }
  auto r = anonymous.post("/api/flows", passthrough_flow());
  EXPECT_EQ(r.status, 401) << r.body;
  r = anonymous.post("/api/flows/" + flow_id_ + "/execute", "{}");
  EXPECT_EQ(r.status, 401) << r.body;
  r = anonymous.post("/api/executions/" + execution_id_ + "/cancel", std::nullopt);
  EXPECT_EQ(r.status, 401) << r.body;
}

TEST_F(http_errors, a_bad_token_is_401) {
  auto url = server_.url() + "/api/flows";
  for (const auto& value : std::vector<std::string>{
         "Bearer not-a-token", "Bearer ", "Bearer " + server_.admin_token() + "x",
         "Basic " + server_.admin_token(), server_.admin_token()}) {
    auto r = request("GET", url, {{"Authorization", value}});
    EXPECT_EQ(r.status, 401) << "Authorization: " << value << " -> " << r.body;
    expect_error_body(r);
  }
  auto r = request("POST", url, {{"Authorization", "Bearer nope"}}, passthrough_flow());
  EXPECT_EQ(r.status, 401) << r.body;
}

TEST_F(http_errors, unknown_route_is_404) {
  for (const auto& path : std::vector<std::string>{
         "/api/nope", "/api/flows/" + flow_id_ + "/nope", "/api/executions/a/b/c/d", "/apix"}) {
    auto r = api_.get(path);
    EXPECT_EQ(r.status, 404) << path << " " << r.body;
    expect_error_body(r);
  }
  auto r = api_.post("/api/nope", "{}");
  EXPECT_EQ(r.status, 404) << r.body;
}

TEST_F(http_errors, wrong_method_is_405_with_allow) {
  struct probe {
    std::string method, path;
    std::vector<std::string> allowed;
  };
  std::vector<probe> probes = {
    {"PATCH", "/api/flows", {"GET", "POST"}},
    {"DELETE", "/api/executions", {"GET"}},
    {"GET", "/api/flows/" + flow_id_ + "/execute", {"POST"}},
    {"POST", "/api/executions/" + execution_id_, {"GET"}},
    {"GET", "/api/executions/" + execution_id_ + "/cancel", {"POST"}},
    {"POST", "/api/workspaces/current", {"GET"}},
    {"PATCH", "/api/flows/" + flow_id_, {"GET", "PUT", "DELETE"}},
  };
  for (const auto& p : probes) {
    auto r = api_.send(p.method, p.path, p.method == "GET" ? std::nullopt
                                                           : std::optional<std::string>("{}"));
    EXPECT_EQ(r.status, 405) << p.method << " " << p.path << " " << r.body;
    auto allow = r.headers.get("Allow");
    ASSERT_TRUE(allow) << p.method << " " << p.path << ": no Allow header";
    for (const auto& m : p.allowed)
      EXPECT_NE(allow->find(m), std::string::npos)
        << p.method << " " << p.path << ": Allow: " << *allow << " lacks " << m;
    EXPECT_EQ(allow->find(p.method), std::string::npos)
      << p.method << " " << p.path << ": Allow: " << *allow;
    expect_error_body(r);
  }
}

TEST_F(http_errors, a_declared_body_over_the_limit_is_413_without_being_read) {
  // Declares 5,000,000 bytes and sends 20: a server that waited for the body
  // would hang; the answer must come from the headers alone.
  tcp_connection c(server_.port());
  ASSERT_TRUE(c.connected());
  auto started = std::chrono::steady_clock::now();
  c.send(raw_head("POST", "/api/flows",
                  "Content-Type: application/json\r\nContent-Length: 5000000\r\n") +
         R"({"name":"big","x":")");
  auto r = read_response(c, 5s);
  auto took = std::chrono::steady_clock::now() - started;
  ASSERT_TRUE(r) << "no answer within 5 s";
  EXPECT_EQ(r->head.status, 413) << r->body;
  EXPECT_LT(took, 2s);
  http_response as_response;
  as_response.status = r->head.status;
  as_response.body = r->body;
  as_response.headers = r->head.headers;
  expect_error_body(as_response);
}

TEST_F(http_errors, a_sent_body_over_1_mib_is_413_and_one_under_is_not) {
  std::string over = R"({"name":"big","description":")" + std::string(1024 * 1024, 'x') + "\"}";
  auto r = api_.post("/api/flows", over);
  EXPECT_EQ(r.status, 413) << r.transport_error << " " << r.body.substr(0, 300);
  if (r.status == 413)
    expect_error_body(r);
  r = api_.post("/api/flows/" + flow_id_ + "/execute", over);
  EXPECT_EQ(r.status, 413) << r.transport_error << " " << r.body.substr(0, 300);

  // Under the limit, the body is read and judged: no source node, so the flow
  // is refused as invalid, not as too large.
  std::string under = R"({"name":"big","description":")" +
                      std::string(1024 * 1024 - 200, 'x') + R"(","nodes":[],"edges":[]})";
  ASSERT_LT(under.size(), 1024u * 1024u);
  r = api_.post("/api/flows", under);
  EXPECT_EQ(r.status, 400) << r.transport_error << r.body.substr(0, 300);
  EXPECT_EQ(r.code(), "invalid_flow") << r.body.substr(0, 300);
}

TEST_F(http_errors, invalid_json_is_400_with_the_position) {
  auto r = api_.post("/api/flows", "{\n  \"nodes\": [,]\n}");
  EXPECT_EQ(r.status, 400) << r.body;
  expect_error_body(r, "invalid_json");
  EXPECT_NE(r.error().find("line 2"), std::string::npos) << "no position: " << r.body;

  r = api_.post("/api/flows/" + flow_id_ + "/execute", "{\"input\": }");
  EXPECT_EQ(r.status, 400) << r.body;
  expect_error_body(r, "invalid_json");
  EXPECT_NE(r.error().find("line 1"), std::string::npos) << "no position: " << r.body;

  r = api_.put("/api/flows/" + flow_id_, "{\"name\": \"x\",\n\"nodes\": [\n  {\"id\": }]}");
  EXPECT_EQ(r.status, 400) << r.body;
  expect_error_body(r, "invalid_json");
  EXPECT_NE(r.error().find("line 3"), std::string::npos) << "no position: " << r.body;

  r = api_.post("/api/tokens", "{\"name\": \"x\"");
  EXPECT_EQ(r.status, 400) << r.body;
  expect_error_body(r, "invalid_json");

  r = api_.post("/api/flows", "{\"name\": \"x\"} trailing");
  EXPECT_EQ(r.status, 400) << r.body;
  expect_error_body(r, "invalid_json");
}

TEST_F(http_errors, nesting_deeper_than_64_is_refused_and_64_is_not) {
  auto nested = [](int arrays) {
    return std::string(static_cast<std::size_t>(arrays), '[') +
           std::string(static_cast<std::size_t>(arrays), ']');
  };
  // {"input": 63 arrays} is 64 levels deep: accepted.
  auto r = api_.post("/api/flows/" + flow_id_ + "/execute", input_body(nested(63)));
  EXPECT_EQ(r.status, 202) << r.body.substr(0, 500);
  if (r.status == 202) {
    auto id = string_at(r.json(), "executionId");
    auto done = api_.wait_terminal(id);
    EXPECT_EQ(string_at(done, "status"), "failed")
      << "doubling an array fails in jq, after the input was accepted";
    before_ = snapshot();  // that one was meant to run
    extra_events_ = static_cast<std::int64_t>(api_.replay(id).size());
  }
  // 65 levels: refused.
  r = api_.post("/api/flows/" + flow_id_ + "/execute", input_body(nested(64)));
  EXPECT_EQ(r.status, 400) << r.body.substr(0, 500);
  expect_error_body(r);
  r = api_.post("/api/flows", nested(65));
  EXPECT_EQ(r.status, 400) << r.body.substr(0, 500);
  expect_error_body(r);
  r = api_.post("/api/flows", nested(100000));
  EXPECT_EQ(r.status, 400) << "deep nesting must not crash the parser";
  EXPECT_EQ(api_.get("/healthz").status, 200);
}

TEST_F(http_errors, malformed_last_event_id_is_400) {
  auto path = "/api/executions/" + execution_id_ + "/stream";
  for (auto bad : {"abc", "12abc", "1.5", "0x10", "99999999999999999999999999"}) {
    auto r = api_.get(path, {{"Last-Event-ID", bad}});
    EXPECT_EQ(r.status, 400) << "Last-Event-ID: " << bad << " -> " << r.body.substr(0, 300);
    if (r.status == 400)
      expect_error_body(r);
  }
  // The header wins over the query, so a bad header is refused even with a
  // good query.
  auto r = api_.get(path + "?lastEventIndex=0", {{"Last-Event-ID", "zzz"}});
  EXPECT_EQ(r.status, 400) << r.body.substr(0, 300);
}

TEST_F(http_errors, errors_carry_no_stack_trace) {
  auto r = api_.post("/api/flows", "{\"nodes\": 5}");
  EXPECT_EQ(r.status, 400) << r.body;
  for (auto word : {"what()", "terminate", "exception", ".cpp", "Traceback"})
    EXPECT_EQ(r.body.find(word), std::string::npos) << r.body;
}

} // namespace
} // namespace baley::testing
