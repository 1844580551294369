// Webhooks (API.md "Webhooks"): create and show, the trigger with the secret
// in the path (no bearer token), regenerate and delete taking effect at once,
// refusals (404, 401, 400, 413, 429 + Retry-After past the token bucket), and
// a log entry for every call, accepted or not; PATCH of enabled and the rate
// limit, taking effect at once, refused whole, kept across a SIGKILL.
#include "runtime/json_text.hpp"
#include "server_process.hpp"
#include "test_flows.hpp"

#include <gtest/gtest.h>

#include <map>
#include <thread>

namespace baley::testing {
namespace {
namespace json = boost::json;
using namespace std::chrono_literals;

class webhooks : public server_test {
protected:
  void SetUp() override {
    server_test::SetUp();
    if (IsSkipped() || HasFatalFailure())
      return;
    flow_ = api_.create_flow(passthrough_flow("hooked"));
    ASSERT_FALSE(flow_.empty());
  }

  // POST /api/flows/{flow}/webhook; its body.
  json::value create_webhook() {
    auto r = api_.post("/api/flows/" + flow_ + "/webhook", std::nullopt);
    EXPECT_EQ(r.status, 201) << r.body;
    return r.json();
  }

  // The trigger: no Authorization header, the secret in the path.
  http_response trigger(const std::string& secret, const std::optional<std::string>& body,
                        const std::string& flow = {}) const {
    return request("POST",
                   server_.url() + "/api/webhooks/" + (flow.empty() ? flow_ : flow) + "/" + secret,
                   {}, body);
  }

  // PATCH /api/flows/{flow}/webhook with `body` as is.
  http_response patch_webhook(const std::optional<std::string>& body,
                              const std::string& flow = {}) const {
    return api_.send("PATCH", "/api/flows/" + (flow.empty() ? flow_ : flow) + "/webhook", body);
  }

  // A number of the webhook's JSON as a double (the server writes 10 as 1E1).
  static double number_at(const json::value& v, std::string_view key) {
    const auto* n = v.is_object() ? v.as_object().if_contains(key) : nullptr;
    EXPECT_TRUE(n && n->is_number()) << key << " in " << v;
    return n && n->is_number() ? n->to_number<double>() : -1;
  }

  json::value shown_webhook() const {
    auto r = api_.get("/api/flows/" + flow_ + "/webhook");
    EXPECT_EQ(r.status, 200) << r.body;
    return r.json();
  }

  // Every log entry, once there are `at_least` of them (or 5 s passed):
  // a refused call is logged just after its answer, not before.
  json::array logs(std::size_t at_least) const {
    auto deadline = std::chrono::steady_clock::now() + 5s;
    for (;;) {
      auto all = api_.list_all("/api/flows/" + flow_ + "/webhook/logs");
      if (all.size() >= at_least || std::chrono::steady_clock::now() > deadline)
        return all;
      std::this_thread::sleep_for(20ms);
    }
  }

  std::string flow_;
};

TEST_F(webhooks, create_show_and_trigger) {
  auto hook = create_webhook();
  auto secret = string_at(hook, "secret");
  ASSERT_FALSE(secret.empty()) << hook;
  EXPECT_GE(secret.size(), 16u) << "a secret worth the name";
  EXPECT_EQ(hook.at("enabled"), true);
  auto url = string_at(hook, "url");
  auto tail = "/api/webhooks/" + flow_ + "/" + secret;
  EXPECT_TRUE(url.size() >= tail.size() && url.compare(url.size() - tail.size(), tail.size(), tail) == 0)
    << url;

  auto shown = api_.get("/api/flows/" + flow_ + "/webhook");
  ASSERT_EQ(shown.status, 200) << shown.body;
  EXPECT_EQ(string_at(shown.json(), "url"), url);
  EXPECT_EQ(string_at(shown.json(), "secret"), secret);
  EXPECT_EQ(shown.json().at("enabled"), true);

  auto r = trigger(secret, R"({"order":42,"items":["a","b"]})");
  ASSERT_EQ(r.status, 202) << r.body;
  EXPECT_EQ(string_at(r.json(), "status"), "started");
  auto id = string_at(r.json(), "executionId");
  EXPECT_TRUE(is_uuid_v7(id)) << r.body;
  auto e = api_.wait_terminal(id);
  EXPECT_EQ(string_at(e, "status"), "completed") << e;
  EXPECT_EQ(string_at(e, "flowId"), flow_);
  EXPECT_TRUE(runtime::json_equal(e.at("input"), json::parse(R"({"order":42,"items":["a","b"]})")))
    << e;
  EXPECT_TRUE(runtime::json_equal(e.at("output"), e.at("input")));

  auto empty = trigger(secret, std::nullopt);
  ASSERT_EQ(empty.status, 202) << empty.body;
  auto e2 = api_.wait_terminal(string_at(empty.json(), "executionId"));
  EXPECT_EQ(e2.at("input"), json::object()) << "an empty body is {}";

  auto wrong_method = request("GET", server_.url() + tail);
  EXPECT_EQ(wrong_method.status, 405);
  EXPECT_NE(wrong_method.headers.get("Allow").value_or("").find("POST"), std::string::npos);
}

TEST_F(webhooks, refusals) {
  auto secret = string_at(create_webhook(), "secret");
  EXPECT_EQ(trigger(secret + "x", "{}").status, 401);
  EXPECT_EQ(trigger(std::string(secret.size(), 'a'), "{}").status, 401);
  EXPECT_EQ(trigger(secret, "{}", "0190c6a4-3c1e-7000-8000-000000000000").status, 404);
  auto other = api_.create_flow(passthrough_flow("no hook"));
  EXPECT_EQ(trigger(secret, "{}", other).status, 404) << "a flow without a webhook";

  auto bad = trigger(secret, "{\"a\": ");
  EXPECT_EQ(bad.status, 400) << bad.body;
  EXPECT_EQ(bad.code(), "invalid_json") << bad.body;
  auto big = trigger(secret, R"({"pad":")" + std::string(1 << 20, 'x') + "\"}");
  EXPECT_EQ(big.status, 413) << big.transport_error << " " << big.body.substr(0, 200);
  EXPECT_TRUE(api_.list_all("/api/executions").empty()) << "nothing started";
}

TEST_F(webhooks, every_call_is_logged) {
  auto secret = string_at(create_webhook(), "secret");
  std::vector<std::pair<int, std::string>> calls;  // status, body sent
  auto call = [&](const std::string& s, const std::optional<std::string>& body) {
    auto r = trigger(s, body);
    calls.emplace_back(static_cast<int>(r.status), body.value_or(""));
    return r;
  };
  // First the body over the limit, which the transport may refuse before
  // routing; then four calls that reach the webhook.
  call(secret, R"({"pad":")" + std::string((1 << 20) + 10, 'x') + "\"}");
  auto accepted = call(secret, R"({"a":1})");
  ASSERT_EQ(accepted.status, 202);
  call(secret, std::nullopt);
  call(secret + "nope", "{}");
  call(secret, "{oops");
  ASSERT_EQ(calls.size(), 5u);

  auto items = logs(5);
  auto r = api_.get("/api/flows/" + flow_ + "/webhook/logs");
  ASSERT_EQ(r.status, 200) << r.body;
  ASSERT_TRUE(r.json().as_object().contains("nextCursor")) << r.body;
  ASSERT_GE(items.size(), 4u) << r.body.substr(0, 3000);
  // Each routed call has its entry, found by status and body size (the
  // order of entries made within one millisecond is flows_test's case).
  for (std::size_t c = 1; c < calls.size(); ++c) {
    const auto& [status, body] = calls[c];
    const json::value* found = nullptr;
    for (const auto& log : items)
      if (log.at("status") == status && log.at("bodyBytes") == body.size())
        found = &log;
    ASSERT_TRUE(found) << "no entry for call " << c << " (" << status << ")";
    const auto& log = *found;
    SCOPED_TRACE(json::serialize(log));
    for (auto key : {"id", "receivedAt", "status", "executionId", "error", "remoteAddr",
                     "bodyBytes", "latencyMs"})
      EXPECT_TRUE(log.as_object().contains(key)) << key;
    EXPECT_TRUE(is_uuid_v7(string_at(log, "id")));
    EXPECT_TRUE(is_rfc3339_ms(string_at(log, "receivedAt")));
    EXPECT_NE(string_at(log, "remoteAddr").find("127.0.0.1"), std::string::npos);
    EXPECT_TRUE(log.at("latencyMs").is_number());
    if (status == 202) {
      EXPECT_TRUE(is_uuid_v7(string_at(log, "executionId")));
      EXPECT_TRUE(log.at("error").is_null());
    } else {
      EXPECT_TRUE(log.at("executionId").is_null());
      EXPECT_FALSE(string_at(log, "error").empty());
    }
    if (c == 1) {
      EXPECT_EQ(string_at(log, "executionId"), string_at(accepted.json(), "executionId"));
    }
  }
  // API.md: "Every call, accepted or not, is logged" - the oversized one too.
  ASSERT_EQ(items.size(), 5u) << "the call with a body over the limit (answered "
                              << calls[0].first << ") was not logged";
  EXPECT_EQ(items.back().at("status"), 413) << "the oldest entry";
}

TEST_F(webhooks, regenerate_and_delete_take_effect_at_once) {
  auto old_secret = string_at(create_webhook(), "secret");
  ASSERT_EQ(trigger(old_secret, "{}").status, 202);

  auto r = api_.post("/api/flows/" + flow_ + "/webhook/regenerate", std::nullopt);
  ASSERT_EQ(r.status, 200) << r.body;
  auto new_secret = string_at(r.json(), "secret");
  EXPECT_FALSE(new_secret.empty());
  EXPECT_NE(new_secret, old_secret);
  EXPECT_EQ(trigger(old_secret, "{}").status, 401) << "the old secret stops at once";
  EXPECT_EQ(trigger(new_secret, "{}").status, 202);
  EXPECT_EQ(string_at(api_.get("/api/flows/" + flow_ + "/webhook").json(), "secret"), new_secret);

  auto gone = api_.del("/api/flows/" + flow_ + "/webhook");
  EXPECT_EQ(gone.status, 204) << gone.body;
  EXPECT_EQ(trigger(new_secret, "{}").status, 404) << "no webhook: as if the flow were unknown";
  EXPECT_EQ(api_.get("/api/flows/" + flow_ + "/webhook").status, 404);

  auto again = string_at(create_webhook(), "secret");
  EXPECT_NE(again, new_secret);
  EXPECT_EQ(trigger(again, "{}").status, 202);
  EXPECT_EQ(api_.del("/api/flows/" + flow_).status, 204);
  EXPECT_EQ(trigger(again, "{}").status, 404) << "a deleted flow's webhook is gone";
}

TEST_F(webhooks, past_the_token_bucket_429_with_retry_after_and_all_logged) {
  auto secret = string_at(create_webhook(), "secret");
  std::map<long, int> statuses;
  auto started = std::chrono::steady_clock::now();
  for (int i = 0; i < 40; ++i) {
    auto r = trigger(secret, "{}");
    ++statuses[r.status];
    if (r.status == 429) {
      auto retry = r.headers.get("Retry-After");
      ASSERT_TRUE(retry) << "429 without Retry-After";
      EXPECT_FALSE(retry->empty());
      EXPECT_TRUE(std::all_of(retry->begin(), retry->end(), ::isdigit)) << *retry;
      EXPECT_FALSE(r.code().empty()) << r.body;
    }
  }
  auto seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  EXPECT_EQ(statuses[202] + statuses[429], 40) << "only 202 and 429";
  EXPECT_GE(statuses[202], 20) << "the burst of 20 is allowed";
  EXPECT_GE(statuses[429], 1) << "40 calls in " << seconds << " s";
  EXPECT_LE(statuses[202], 20 + static_cast<int>(10 * seconds) + 1)
    << "no more than burst + 10/s in " << seconds << " s";

  auto all = logs(40);
  EXPECT_EQ(all.size(), 40u) << "every call is logged (waited 5 s for the entries)";
  int logged_429 = 0;
  for (const auto& l : all)
    logged_429 += l.at("status") == 429;
  EXPECT_EQ(logged_429, statuses[429]);

  // Paging the logs works like every list.
  auto page = api_.get("/api/flows/" + flow_ + "/webhook/logs?limit=15");
  ASSERT_EQ(page.status, 200);
  EXPECT_EQ(page.json().at("items").as_array().size(), 15u);
  EXPECT_TRUE(page.json().at("nextCursor").is_string());
}

TEST_F(webhooks, patch_disables_and_enables_at_once_and_the_flow_stays_enabled) {
  auto secret = string_at(create_webhook(), "secret");
  ASSERT_EQ(trigger(secret, "{}").status, 202);
  auto calls_before = logs(1).size();

  auto off = patch_webhook(R"({"enabled":false})");
  ASSERT_EQ(off.status, 200) << off.body;
  EXPECT_EQ(off.json().at("enabled"), false);
  EXPECT_EQ(string_at(off.json(), "secret"), secret) << "the secret stays";
  EXPECT_EQ(number_at(off.json(), "ratePerSecond"), 10);
  EXPECT_EQ(number_at(off.json(), "burst"), 20);
  EXPECT_TRUE(runtime::json_equal(shown_webhook(), off.json())) << "PATCH answers what GET shows";

  // As a flow without a webhook: the same status, code and message.
  auto refused = trigger(secret, "{}");
  EXPECT_EQ(refused.status, 404) << refused.body;
  EXPECT_EQ(refused.code(), "not_found");
  auto other = api_.create_flow(passthrough_flow("no hook"));
  auto none = trigger(secret, "{}", other);
  EXPECT_EQ(none.status, 404);
  EXPECT_EQ(none.code(), refused.code());
  EXPECT_EQ(refused.error(), "webhook of flow " + flow_ + " not found");
  EXPECT_EQ(none.error(), "webhook of flow " + other + " not found");
  EXPECT_EQ(trigger(secret + "x", "{}").status, 404) << "no 401 that would tell it exists";

  // Only the webhook is off: the flow itself still runs from the API.
  auto flow = api_.get("/api/flows/" + flow_);
  EXPECT_EQ(flow.json().at("enabled"), true) << flow.body;
  EXPECT_EQ(flow.json().at("version"), 1) << "no new flow version";
  auto run = api_.start(flow_);
  ASSERT_FALSE(run.empty());
  EXPECT_EQ(string_at(api_.wait_terminal(run), "status"), "completed");

  auto on = patch_webhook(R"({"enabled":true})");
  ASSERT_EQ(on.status, 200) << on.body;
  EXPECT_EQ(on.json().at("enabled"), true);
  EXPECT_EQ(trigger(secret, "{}").status, 202) << "accepted again at once";
  EXPECT_EQ(shown_webhook().at("enabled"), true);
  // The 202 is logged before its answer; the 404s before it were not logged,
  // as calls to a flow without a webhook are not.
  EXPECT_EQ(logs(calls_before + 1).size(), calls_before + 1);
}

TEST_F(webhooks, patch_of_the_rate_limit_applies_at_once) {
  auto secret = string_at(create_webhook(), "secret");
  ASSERT_EQ(trigger(secret, "{}").status, 202) << "the default bucket (burst 20) is in use";

  auto r = patch_webhook(R"({"ratePerSecond":1,"burst":1})");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(number_at(r.json(), "ratePerSecond"), 1);
  EXPECT_EQ(number_at(r.json(), "burst"), 1);
  EXPECT_EQ(r.json().at("enabled"), true);
  EXPECT_EQ(string_at(r.json(), "secret"), secret);

  // The bucket starts again with the new burst: one call, then 429.
  EXPECT_EQ(trigger(secret, "{}").status, 202);
  auto limited = trigger(secret, "{}");
  ASSERT_EQ(limited.status, 429) << limited.body;
  EXPECT_EQ(limited.code(), "rate_limited");
  auto retry = limited.headers.get("Retry-After");
  ASSERT_TRUE(retry) << "429 without Retry-After";
  EXPECT_EQ(*retry, "1") << "one token a second";

  // One field alone changes only that field; 5.0 is a whole number.
  auto burst_only = patch_webhook(R"({"burst":5.0})");
  ASSERT_EQ(burst_only.status, 200) << burst_only.body;
  EXPECT_EQ(number_at(burst_only.json(), "burst"), 5);
  EXPECT_EQ(number_at(burst_only.json(), "ratePerSecond"), 1);
  auto rate_only = patch_webhook(R"({"ratePerSecond":0.01})");
  ASSERT_EQ(rate_only.status, 200) << rate_only.body;
  EXPECT_EQ(number_at(rate_only.json(), "ratePerSecond"), 0.01);
  EXPECT_EQ(number_at(rate_only.json(), "burst"), 5);
  int accepted = 0;
  for (int i = 0; i < 7; ++i)
    accepted += trigger(secret, "{}").status == 202;
  EXPECT_EQ(accepted, 5) << "a full bucket of the new burst, then refusals";
}

TEST_F(webhooks, a_refused_patch_names_its_problem_and_changes_nothing) {
  auto created = api_.post("/api/flows/" + flow_ + "/webhook", R"({"ratePerSecond":5,"burst":8})");
  ASSERT_EQ(created.status, 201) << created.body;
  auto before = shown_webhook();
  auto other_flow = api_.create_flow(passthrough_flow("no hook"));
  auto ws = api_.post("/api/workspaces", R"({"name":"other"})");
  ASSERT_EQ(ws.status, 201) << ws.body;
  auto stranger = server_.client(string_at(ws.json(), "token"));
  auto anonymous = server_.client("");

  struct refusal {
    std::string what;
    http_response answer;
    int status;
    std::string code;
    std::string named;  // a word the message must hold
  };
  auto path = "/api/flows/" + flow_ + "/webhook";
  std::vector<refusal> cases = {
    {"enabled not a boolean", patch_webhook(R"({"enabled":"no"})"), 400, "invalid_request",
     "enabled"},
    {"enabled null", patch_webhook(R"({"enabled":null})"), 400, "invalid_request", "enabled"},
    {"rate a string", patch_webhook(R"({"ratePerSecond":"fast"})"), 400, "invalid_request",
     "ratePerSecond"},
    {"rate 0", patch_webhook(R"({"ratePerSecond":0})"), 400, "invalid_request", "ratePerSecond"},
    {"rate over", patch_webhook(R"({"ratePerSecond":10001})"), 400, "invalid_request",
     "ratePerSecond"},
    {"burst not whole", patch_webhook(R"({"burst":1.5})"), 400, "invalid_request", "burst"},
    {"burst 0", patch_webhook(R"({"burst":0})"), 400, "invalid_request", "burst"},
    {"burst over", patch_webhook(R"({"burst":100001})"), 400, "invalid_request", "burst"},
    {"burst a string", patch_webhook(R"({"burst":"8"})"), 400, "invalid_request", "burst"},
    {"one bad field of two", patch_webhook(R"({"enabled":false,"burst":0})"), 400,
     "invalid_request", "burst"},
    {"unknown field", patch_webhook(R"({"colour":"red"})"), 400, "invalid_request", "colour"},
    {"unknown field after a good one", patch_webhook(R"({"enabled":false,"secret":"x"})"), 400,
     "invalid_request", "secret"},
    {"no body", patch_webhook(std::nullopt), 400, "invalid_request", "enabled"},
    {"empty object", patch_webhook("{}"), 400, "invalid_request", "enabled"},
    {"an array", patch_webhook(R"([{"enabled":false}])"), 400, "invalid_request", "object"},
    {"null", patch_webhook("null"), 400, "invalid_request", "object"},
    {"invalid JSON", patch_webhook(R"({"enabled": )"), 400, "invalid_json", ""},
    {"unknown flow", patch_webhook(R"({"enabled":false})", "0190c6a4-3c1e-7000-8000-000000000000"),
     404, "not_found", "flow"},
    {"flow without webhook", patch_webhook(R"({"enabled":false})", other_flow), 404, "not_found",
     "webhook"},
    {"another workspace", stranger.send("PATCH", path, R"({"enabled":false})"), 404, "not_found",
     ""},
    {"no token", anonymous.send("PATCH", path, R"({"enabled":false})"), 401, "unauthorized", ""},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.what + ": " + c.answer.body);
    EXPECT_EQ(c.answer.status, c.status);
    EXPECT_EQ(c.answer.code(), c.code);
    EXPECT_NE(c.answer.error().find(c.named), std::string::npos) << "names " << c.named;
    EXPECT_TRUE(runtime::json_equal(shown_webhook(), before)) << "changed nothing";
  }
  EXPECT_EQ(api_.get("/api/flows/" + other_flow + "/webhook").status, 404) << "none made";
  EXPECT_EQ(api_.send("PUT", path, R"({"enabled":false})").status, 405);
}

TEST_F(webhooks, a_patch_survives_a_sigkill_and_a_restart) {
  auto secret = string_at(create_webhook(), "secret");
  auto r = patch_webhook(R"({"enabled":false,"ratePerSecond":0.01,"burst":3})");
  ASSERT_EQ(r.status, 200) << r.body;
  auto created_at = string_at(r.json(), "createdAt");

  server_.kill();
  ASSERT_TRUE(server_.start()) << server_.diagnostics();
  api_ = server_.admin();  // a new port
  auto after_kill = shown_webhook();
  EXPECT_EQ(after_kill.at("enabled"), false) << after_kill;
  EXPECT_EQ(number_at(after_kill, "ratePerSecond"), 0.01);
  EXPECT_EQ(number_at(after_kill, "burst"), 3);
  EXPECT_EQ(string_at(after_kill, "secret"), secret);
  EXPECT_EQ(string_at(after_kill, "createdAt"), created_at) << "a change is not a new webhook";
  EXPECT_EQ(trigger(secret, "{}").status, 404);

  ASSERT_EQ(patch_webhook(R"({"enabled":true})").status, 200);
  ASSERT_EQ(server_.stop(), 0) << server_.diagnostics();
  ASSERT_TRUE(server_.start()) << server_.diagnostics();
  api_ = server_.admin();
  auto after_stop = shown_webhook();
  EXPECT_EQ(after_stop.at("enabled"), true) << after_stop;
  EXPECT_EQ(number_at(after_stop, "burst"), 3);
  int accepted = 0;
  for (int i = 0; i < 5; ++i)
    accepted += trigger(secret, "{}").status == 202;
  EXPECT_EQ(accepted, 3) << "the kept burst of 3";
}

} // namespace
} // namespace baley::testing
