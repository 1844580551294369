// ai-blocks on the real HTTP providers (`openai`, `anthropic` connections),
// against the mock LLM server (tools/mock_llm/server.mjs), through the API:
// what goes out on the wire (URL, headers, body), what comes back into the
// log (node_stream deltas, node_complete accounting), how failures are
// classified and retried (Retry-After, 5xx, 401, a stream cut short, a
// timeout), outputSchema, fallback models, and a cancel that aborts the
// transfer at once. The API key must never show in any response, event or
// server output. Skipped when `node` is not installed.
#include "api_client.hpp"
#include "mock_llm_process.hpp"
#include "server_process.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace baley::testing {
namespace {
namespace json = boost::json;
using namespace std::chrono_literals;
using steady = std::chrono::steady_clock;

const std::string openai_key = "sk-test-123";
const std::string anthropic_key = "sk-ant-test-456";

// Epoch milliseconds, comparable with the mock's writtenAtMs / receivedAtMs.
double epoch_ms() {
  return std::chrono::duration<double, std::milli>(
           std::chrono::system_clock::now().time_since_epoch())
    .count();
}

// "tok1 tok2 ... tokN": N word tokens whose concatenation is the text.
std::string words(int n, const std::string& stem = "tok") {
  std::string text;
  for (int i = 1; i <= n; ++i)
  {
    if (i > 1)
      text += ' ';
    text += stem;
    text += std::to_string(i);
  }
  return text;
}

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

// A message's content: a string, or the text parts of an array of blocks.
std::string content_text(const json::value& content) {
  if (content.is_string())
    return std::string(content.as_string());
  std::string out;
  if (content.is_array())
    for (const auto& part : content.as_array())
      if (part.is_object())
        if (auto* t = part.as_object().if_contains("text"); t && t->is_string()) {
          if (!out.empty())
            out += ' ';
          out.append(t->as_string().data(), t->as_string().size());
        }
  return out;
}

const json::value* field(const json::value& v, std::string_view key) {
  return v.is_object() ? v.as_object().if_contains(key) : nullptr;
}

// Events of a replay, as their `event` objects.
using event_list = std::vector<json::object>;

std::string type_of(const json::object& e) {
  auto* t = e.if_contains("type");
  return t && t->is_string() ? std::string(t->as_string()) : std::string();
}

std::string node_of(const json::object& e) {
  auto* t = e.if_contains("nodeId");
  return t && t->is_string() ? std::string(t->as_string()) : std::string();
}

// One line per event, for assertion messages: "3 node_retry ask attempt=2
// delayMs=1000 error=...". Consecutive node_stream events are folded.
std::string summary(const event_list& events) {
  std::ostringstream out;
  std::size_t streams = 0;
  auto flush_streams = [&] {
    if (streams)
      out << "   (" << streams << " x node_stream)\n";
    streams = 0;
  };
  for (std::size_t i = 0; i < events.size(); ++i) {
    const auto& e = events[i];
    auto type = type_of(e);
    if (type == "node_stream") {
      ++streams;
      continue;
    }
    flush_streams();
    out << "   " << i << " " << type;
    if (auto n = node_of(e); !n.empty())
      out << " " << n;
    for (auto key : {"attempt", "delayMs", "retryable", "from", "to", "model", "tokens", "cost",
                     "ttftMs", "tokensPerSecond", "error", "reason"})
      if (auto* v = e.if_contains(key))
        out << " " << key << "=" << json::serialize(*v).substr(0, 400);
    if (type == "execution_complete" || type == "node_complete")
      if (auto* v = e.if_contains("output"))
        out << " output=" << json::serialize(*v).substr(0, 200);
    out << "\n";
  }
  flush_streams();
  return out.str();
}

// Whether `execution` ended with `status`; if not, how it ended and its log.
::testing::AssertionResult ended(const json::value& execution, const std::string& log,
                                 std::string_view status) {
  if (string_at(execution, "status") == status)
    return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "not " << status << ": " << json::serialize(execution)
                                       << "\n" << log;
}

class ai_provider : public ::testing::Test {
protected:
  ai_provider() : server_({"--durability", "buffered"}) {}

  void SetUp() override {
    ASSERT_TRUE(node_available()) << "node is not installed: the mock LLM server cannot run "
                                     "(make test installs it)";
    mock_ = std::make_unique<mock_llm_process>();
    ASSERT_TRUE(mock_->started()) << mock_->diagnostics();
    ASSERT_TRUE(server_.start()) << server_.diagnostics();
    api_ = server_.admin();
    started_ = true;
    openai_ = connection("mock", "openai", mock_->base_url(), openai_key);
    ASSERT_FALSE(openai_.empty());
  }

  void TearDown() override {
    if (!started_)
      return;
    // The keys never leave the server: no response body, no event, no log line.
    for (const auto* key : {&openai_key, &anthropic_key}) {
      EXPECT_FALSE(contains(seen_, *key)) << "the API key " << *key
                                          << " appeared in a response body";
      for (const auto& line : server_.stdout_lines())
        EXPECT_FALSE(contains(line, *key)) << "the API key is in the server's stdout: " << line;
      auto err = server_.stderr_text();
      EXPECT_FALSE(contains(err, *key)) << "the API key is in the server's stderr:\n"
                                        << err.substr(0, 4000);
    }
  }

  // Every response body a test reads goes through here, to be searched for
  // the keys at the end.
  http_response get(const std::string& path) {
    auto r = api_.get(path);
    seen_ += r.body;
    return r;
  }
  http_response post(const std::string& path, const std::optional<std::string>& body) {
    auto r = api_.post(path, body);
    seen_ += r.body;
    return r;
  }

  std::string connection(const std::string& name, const std::string& type,
                         const std::string& base_url, const std::string& key) {
    json::object body{{"name", name}, {"type", type}, {"baseUrl", base_url}, {"apiKey", key}};
    auto r = post("/api/connections", json::serialize(body));
    EXPECT_EQ(r.status, 201) << r.body;
    EXPECT_FALSE(contains(r.body, "apiKey\":\"" + key)) << r.body;
    return r.status == 201 ? string_at(r.json(), "id") : std::string();
  }

  // source -> ask (ai-block on `connection_id`, with `ai_data` fields) -> sink.
  std::string flow(const std::string& connection_id, const std::string& ai_data) {
    auto r = post("/api/flows",
                  R"({"name":"provider","nodes":[{"id":"in","type":"source","data":{}},
      {"id":"ask","type":"ai-block","data":{"connectionId":")" + connection_id + "\"," + ai_data
                    + R"(}},{"id":"out","type":"sink","data":{}}],
      "edges":[{"id":"e1","source":"in","target":"ask"},{"id":"e2","source":"ask","target":"out"}]})");
    EXPECT_EQ(r.status, 201) << r.body;
    return r.status == 201 ? string_at(r.json(), "id") : std::string();
  }

  // Execute with ?wait=, then poll if it was not over yet: the execution.
  json::value run(const std::string& flow_id,
                  const std::string& input = R"({"ticket":"printer on fire"})",
                  std::chrono::milliseconds timeout = 20s) {
    auto r = post("/api/flows/" + flow_id + "/execute?wait=10", input_body(input));
    if (r.status == 200)
      return r.json();
    EXPECT_EQ(r.status, 202) << r.body;
    if (r.status != 202)
      return nullptr;
    return wait_terminal(string_at(r.json(), "executionId"), timeout);
  }

  // An execution run to its end (run()), its events, and their summary for
  // failure messages.
  struct finished {
    json::value execution;
    event_list events;
    std::string log;
  };
  finished run_to_end(const std::string& flow_id,
                      const std::string& input = R"({"ticket":"printer on fire"})",
                      std::chrono::milliseconds timeout = 20s) {
    auto execution = run(flow_id, input, timeout);
    auto events = replay(string_at(execution, "id"));
    auto log = summary(events);
    return {std::move(execution), std::move(events), std::move(log)};
  }

  json::value wait_terminal(const std::string& id, std::chrono::milliseconds timeout = 20s) {
    auto deadline = steady::now() + timeout;
    for (;;) {
      auto r = get("/api/executions/" + id);
      if (r.status == 200) {
        auto v = r.json();
        if (is_terminal(string_at(v, "status")))
          return v;
        if (steady::now() > deadline) {
          ADD_FAILURE() << "execution " << id << " not terminal in time: " << r.body.substr(0, 2000)
                        << "\n" << summary(replay(id));
          return v;
        }
      } else if (steady::now() > deadline) {
        ADD_FAILURE() << "GET /api/executions/" << id << ": " << r.status << " " << r.body;
        return nullptr;
      }
      std::this_thread::sleep_for(20ms);
    }
  }

  event_list replay(const std::string& id) {
    event_list out;
    auto r = get("/api/executions/" + id + "/replay");
    if (r.status != 200) {
      ADD_FAILURE() << "replay " << id << ": " << r.status << " " << r.body;
      return out;
    }
    auto v = r.json();
    auto* events = field(v, "events");
    if (!events || !events->is_array()) {
      ADD_FAILURE() << "replay without events: " << r.body.substr(0, 500);
      return out;
    }
    for (const auto& e : events->as_array())
      if (auto* ev = field(e, "event"); ev && ev->is_object())
        out.push_back(ev->as_object());
    return out;
  }

  static event_list of(const event_list& events, std::string_view type,
                       const std::string& node = "ask") {
    event_list out;
    for (const auto& e : events)
      if (type_of(e) == type && (node.empty() || node_of(e) == node))
        out.push_back(e);
    return out;
  }

  // The node_stream text_delta contents of `node`, in log order.
  static std::string streamed(const event_list& events, std::size_t from = 0,
                              std::size_t to = SIZE_MAX) {
    std::string text;
    for (std::size_t i = from; i < std::min(to, events.size()); ++i) {
      const auto& e = events[i];
      if (type_of(e) != "node_stream" || node_of(e) != "ask")
        continue;
      auto* inner = e.if_contains("event");
      if (inner && inner->is_object() && string_at(*inner, "type") == "text_delta")
        text += string_at(*inner, "content");
    }
    return text;
  }

  // The `nodes` entry of `node` in a GET execution body.
  static json::value node_view(const json::value& execution, const std::string& node = "ask") {
    if (auto* nodes = field(execution, "nodes"); nodes && nodes->is_array())
      for (const auto& n : nodes->as_array())
        if (string_at(n, "nodeId") == node)
          return n;
    return nullptr;
  }

  static std::int64_t attempts(const json::value& execution) {
    auto n = node_view(execution);
    auto* a = field(n, "attempts");
    return a && a->is_number() ? a->to_number<std::int64_t>() : -1;
  }

  // The recorded LLM requests; a key in a request body would be the
  // runtime's doing (headers are redacted by the mock; the recorded
  // behaviour may quote a key on purpose, so it is not searched).
  json::array requests() {
    auto r = mock_->requests();
    for (const auto& req : r)
      if (auto* body = field(req, "body"))
        seen_ += json::serialize(*body);
    return r;
  }

  server_process server_;
  api_client api_;
  std::unique_ptr<mock_llm_process> mock_;
  std::string openai_;  // the openai connection "mock"
  std::string seen_;
  bool started_ = false;
};

// The node_complete of "ask" (or an empty object).
json::object completion_of(const event_list& events) {
  for (const auto& e : events)
    if (type_of(e) == "node_complete" && node_of(e) == "ask")
      return e;
  return {};
}

void expect_accounting(const json::object& complete, const std::string& model,
                       std::int64_t input_tokens, std::int64_t output_tokens,
                       double expected_cost, const std::string& log) {
  EXPECT_EQ(string_at(complete, "model"), model) << log;
  auto* tokens = complete.if_contains("tokens");
  ASSERT_TRUE(tokens && tokens->is_object()) << "node_complete has no tokens\n" << log;
  auto* in = field(*tokens, "input");
  auto* out = field(*tokens, "output");
  ASSERT_TRUE(in && in->is_number() && out && out->is_number()) << json::serialize(*tokens);
  EXPECT_EQ(in->to_number<std::int64_t>(), input_tokens) << "the provider's usage, as reported";
  EXPECT_EQ(out->to_number<std::int64_t>(), output_tokens) << "the provider's usage, as reported";
  auto* cost = complete.if_contains("cost");
  ASSERT_TRUE(cost && cost->is_number()) << "node_complete.cost is not a number\n" << log;
  EXPECT_NEAR(cost->to_number<double>(), expected_cost, expected_cost * 1e-6 + 1e-12)
    << "price table: input and output USD per 1M tokens";
  auto* ttft = complete.if_contains("ttftMs");
  ASSERT_TRUE(ttft && ttft->is_number()) << "node_complete.ttftMs missing\n" << log;
  EXPECT_GE(ttft->to_number<double>(), 0);
  auto* tps = complete.if_contains("tokensPerSecond");
  ASSERT_TRUE(tps && tps->is_number()) << "node_complete.tokensPerSecond missing\n" << log;
  EXPECT_GT(tps->to_number<double>(), 0);
}

// 1. An OpenAI stream of 20 tokens, end to end.
TEST_F(ai_provider, openai_stream_is_streamed_accounted_and_sent_as_specified) {
  const auto text = words(20);
  ASSERT_EQ(mock_->script(json::serialize(json::object{
                            {"text", text}, {"tokens", 20}, {"inputTokens", 37},
                            {"expectAuthorization", "Bearer " + openai_key}}))
              .status,
            200);
  auto flow_id = flow(openai_, R"("model":"gpt-4o-mini","systemPrompt":"You are a terse triage bot.",
    "goal":"Classify the ticket.")");
  auto [done, events, log] = run_to_end(flow_id);
  ASSERT_TRUE(ended(done, log, "completed"));
  auto id = string_at(done, "id");

  // Output: the reply text as a JSON string; the deltas add up to it exactly.
  ASSERT_TRUE(done.at("output").is_string()) << json::serialize(done);
  EXPECT_EQ(done.at("output").as_string(), text);
  auto deltas = of(events, "node_stream");
  EXPECT_GT(deltas.size(), 0u) << log;
  for (const auto& d : deltas)
    EXPECT_EQ(string_at(d.at("event"), "type"), "text_delta") << json::serialize(d);
  EXPECT_EQ(streamed(events), text) << "no token lost, duplicated or reordered";

  auto complete = completion_of(events);
  ASSERT_FALSE(complete.empty()) << log;
  expect_accounting(complete, "gpt-4o-mini", 37, 20, (37 * 0.15 + 20 * 0.60) / 1e6, log);
  auto* metrics = field(done, "metrics");
  auto* total = metrics ? field(*metrics, "totalTokens") : nullptr;
  ASSERT_TRUE(total && total->is_number()) << json::serialize(done);
  EXPECT_EQ(total->to_number<std::int64_t>(), 57);
  EXPECT_EQ(attempts(done), 1);

  // On the wire.
  auto sent = requests();
  ASSERT_EQ(sent.size(), 1u) << json::serialize(sent);
  const auto& req = sent[0];
  EXPECT_EQ(string_at(req, "path"), "/v1/chat/completions");
  EXPECT_EQ(string_at(req, "method"), "POST");
  EXPECT_EQ(req.at("authorization").at("scheme"), "Bearer") << json::serialize(req);
  EXPECT_EQ(req.at("authorization").at("matches"), true)
    << "Authorization must be exactly \"Bearer <apiKey>\"";
  const auto& body = req.at("body");
  EXPECT_EQ(string_at(body, "model"), "gpt-4o-mini");
  EXPECT_EQ(body.at("stream"), true) << json::serialize(body);
  auto* opts = field(body, "stream_options");
  ASSERT_TRUE(opts) << "stream_options missing: " << json::serialize(body);
  EXPECT_EQ(opts->at("include_usage"), true);
  const auto& messages = body.at("messages").as_array();
  ASSERT_EQ(messages.size(), 2u) << json::serialize(body);
  EXPECT_EQ(string_at(messages[0], "role"), "system");
  EXPECT_EQ(content_text(messages[0].at("content")), "You are a terse triage bot.");
  EXPECT_EQ(string_at(messages[1], "role"), "user");
  auto user = content_text(messages[1].at("content"));
  EXPECT_TRUE(contains(user, "Classify the ticket.")) << user;
  EXPECT_TRUE(contains(user, "printer on fire")) << "the input goes with the goal: " << user;
  EXPECT_FALSE(contains(json::serialize(body), openai_key));

  // The SSE stream of the finished execution: replayed, closed, no key.
  auto sse = get("/api/executions/" + id + "/stream");
  EXPECT_EQ(sse.status, 200);
  EXPECT_TRUE(contains(sse.body, "data: [DONE]")) << sse.body.substr(0, 500);
  auto listed = get("/api/connections");
  EXPECT_EQ(listed.status, 200) << listed.body;
}

// 2. The same through an `anthropic` connection.
TEST_F(ai_provider, anthropic_stream_is_streamed_accounted_and_sent_as_specified) {
  auto conn = connection("claude", "anthropic", mock_->base_url(), anthropic_key);
  ASSERT_FALSE(conn.empty());
  const auto text = words(20, "word");
  ASSERT_EQ(mock_->script(json::serialize(json::object{{"text", text},
                                                       {"tokens", 20},
                                                       {"inputTokens", 37},
                                                       {"expectApiKey", anthropic_key}}))
              .status,
            200);
  auto [done, events, log] = run_to_end(flow(conn, R"("model":"claude-3-5-haiku","systemPrompt":"You are a terse triage bot.",
    "goal":"Classify the ticket.")"));
  ASSERT_TRUE(ended(done, log, "completed"));
  auto id = string_at(done, "id");
  ASSERT_TRUE(done.at("output").is_string()) << json::serialize(done);
  EXPECT_EQ(done.at("output").as_string(), text);
  EXPECT_EQ(streamed(events), text);
  auto complete = completion_of(events);
  ASSERT_FALSE(complete.empty()) << log;
  expect_accounting(complete, "claude-3-5-haiku", 37, 20, (37 * 0.80 + 20 * 4.0) / 1e6, log);
  EXPECT_EQ(done.at("metrics").at("totalTokens").to_number<std::int64_t>(), 57);

  auto sent = requests();
  ASSERT_EQ(sent.size(), 1u) << json::serialize(sent);
  const auto& req = sent[0];
  EXPECT_EQ(string_at(req, "path"), "/v1/messages");
  EXPECT_EQ(req.at("apiKey").at("present"), true) << json::serialize(req);
  EXPECT_EQ(req.at("apiKey").at("matches"), true) << "x-api-key must be the connection's key";
  EXPECT_FALSE(string_at(req.at("headers"), "anthropic-version").empty())
    << "anthropic-version header missing: " << json::serialize(req.at("headers"));
  const auto& body = req.at("body");
  EXPECT_EQ(string_at(body, "model"), "claude-3-5-haiku");
  EXPECT_EQ(body.at("stream"), true) << json::serialize(body);
  auto* max_tokens = field(body, "max_tokens");
  ASSERT_TRUE(max_tokens && max_tokens->is_number()) << "max_tokens is required by Anthropic";
  EXPECT_GT(max_tokens->to_number<std::int64_t>(), 0);
  auto* system = field(body, "system");
  ASSERT_TRUE(system) << "the system prompt goes in `system`: " << json::serialize(body);
  EXPECT_TRUE(contains(content_text(*system), "You are a terse triage bot."));
  const auto& messages = body.at("messages").as_array();
  ASSERT_GE(messages.size(), 1u);
  for (const auto& m : messages)
    EXPECT_NE(string_at(m, "role"), "system") << "Anthropic has no system role in messages";
  EXPECT_EQ(string_at(messages.back(), "role"), "user");
  auto user = content_text(messages.back().at("content"));
  EXPECT_TRUE(contains(user, "Classify the ticket.")) << user;
  EXPECT_TRUE(contains(user, "printer on fire")) << user;
}

// 3. baseUrl ".../v1" (the SDKs' convention) gets no second /v1.
TEST_F(ai_provider, a_base_url_ending_in_v1_gets_no_second_v1) {
  auto oa = connection("mock-v1", "openai", mock_->base_url() + "/v1", openai_key);
  auto an = connection("claude-v1", "anthropic", mock_->base_url() + "/v1", anthropic_key);
  ASSERT_FALSE(oa.empty());
  ASSERT_FALSE(an.empty());
  ASSERT_EQ(mock_->script(R"([{"text":"openai ok"},{"text":"anthropic ok"}])").status, 200);
  auto a = run(flow(oa, R"("model":"gpt-4o-mini","goal":"Say ok.")"));
  EXPECT_EQ(string_at(a, "status"), "completed")
    << json::serialize(a) << "\n" << summary(replay(string_at(a, "id")));
  EXPECT_EQ(a.at("output"), "openai ok");
  auto b = run(flow(an, R"("model":"claude-3-5-haiku","goal":"Say ok.")"));
  EXPECT_EQ(string_at(b, "status"), "completed")
    << json::serialize(b) << "\n" << summary(replay(string_at(b, "id")));
  EXPECT_EQ(b.at("output"), "anthropic ok");
  auto sent = requests();
  ASSERT_EQ(sent.size(), 2u) << "a /v1/v1/... path would be a 404, not recorded: "
                             << json::serialize(sent);
  EXPECT_EQ(string_at(sent[0], "path"), "/v1/chat/completions");
  EXPECT_EQ(string_at(sent[1], "path"), "/v1/messages");
}

// 4. 429 with Retry-After: 1 waits that second, not the computed backoff.
TEST_F(ai_provider, a_429_is_retried_after_the_retry_after_delay) {
  ASSERT_EQ(mock_->script(R"([{"status":429,"retryAfter":"1"},{"text":"after the wait"}])").status,
            200);
  auto [done, events, log] = run_to_end(flow(openai_, R"("model":"gpt-4o-mini","goal":"Go.",
    "retry":{"maxRetries":2,"initialDelayMs":10,"maxDelayMs":5000})"));
  ASSERT_TRUE(ended(done, log, "completed"));
  EXPECT_EQ(done.at("output"), "after the wait");
  auto retries = of(events, "node_retry");
  ASSERT_EQ(retries.size(), 1u) << log;
  EXPECT_EQ(retries[0].at("attempt"), 2) << log;
  auto* delay = retries[0].if_contains("delayMs");
  ASSERT_TRUE(delay && delay->is_number()) << log;
  EXPECT_GE(delay->to_number<double>(), 900) << "Retry-After: 1 is 1000 ms\n" << log;
  EXPECT_LE(delay->to_number<double>(), 1100) << "Retry-After: 1 is 1000 ms\n" << log;
  EXPECT_TRUE(contains(string_at(retries[0], "error"), "429")) << log;
  EXPECT_TRUE(of(events, "node_error").empty()) << log;
  EXPECT_EQ(attempts(done), 2) << json::serialize(done);

  auto sent = requests();
  ASSERT_EQ(sent.size(), 2u) << json::serialize(sent);
  auto gap = sent[1].at("receivedAtMs").to_number<double>()
             - sent[0].at("receivedAtMs").to_number<double>();
  EXPECT_GE(gap, 900) << "the second request came " << gap << " ms after the 429";
}

// 5a. 5xx is retryable.
TEST_F(ai_provider, two_500s_are_retried_then_it_completes) {
  ASSERT_EQ(mock_->script(R"([{"status":500},{"status":500},{"text":"third time lucky"}])").status,
            200);
  auto [done, events, log] = run_to_end(flow(openai_, R"("model":"gpt-4o-mini","goal":"Go.",
    "retry":{"maxRetries":2,"initialDelayMs":10,"maxDelayMs":50})"));
  ASSERT_TRUE(ended(done, log, "completed"));
  EXPECT_EQ(done.at("output"), "third time lucky");
  auto retries = of(events, "node_retry");
  ASSERT_EQ(retries.size(), 2u) << log;
  EXPECT_EQ(retries[0].at("attempt"), 2) << log;
  EXPECT_EQ(retries[1].at("attempt"), 3) << log;
  for (const auto& r : retries) {
    EXPECT_TRUE(contains(string_at(r, "error"), "500")) << log;
    EXPECT_LE(r.at("delayMs").to_number<double>(), 50) << "capped at maxDelayMs\n" << log;
  }
  EXPECT_TRUE(of(events, "node_error").empty()) << log;
  EXPECT_EQ(attempts(done), 3);
  EXPECT_EQ(requests().size(), 3u);
}

// 5b. 401 is not retryable, and its message says what failed, without the key
// (even when the provider echoes it back).
TEST_F(ai_provider, a_401_fails_at_once_naming_provider_connection_model_and_status) {
  ASSERT_EQ(mock_->script(json::serialize(json::object{
                            {"status", 401},
                            {"errorMessage", "Incorrect API key provided: " + openai_key + "."}}))
              .status,
            200);
  auto [done, events, log] = run_to_end(flow(openai_, R"("model":"gpt-4o-mini","goal":"Go.",
    "retry":{"maxRetries":2,"initialDelayMs":10,"maxDelayMs":50})"));
  ASSERT_TRUE(ended(done, log, "failed"));
  EXPECT_TRUE(of(events, "node_retry").empty()) << "a 401 is not retried\n" << log;
  auto errors = of(events, "node_error");
  ASSERT_EQ(errors.size(), 1u) << log;
  EXPECT_EQ(errors[0].at("retryable"), false) << log;
  EXPECT_EQ(errors[0].at("attempt"), 1) << log;
  auto message = string_at(errors[0], "error");
  EXPECT_TRUE(contains(lower(message), "openai")) << "names the provider: " << message;
  EXPECT_TRUE(contains(message, "mock")) << "names the connection: " << message;
  EXPECT_TRUE(contains(message, "gpt-4o-mini")) << "names the model: " << message;
  EXPECT_TRUE(contains(message, "401")) << "names the status: " << message;
  EXPECT_FALSE(contains(message, openai_key)) << message;
  EXPECT_FALSE(contains(string_at(done, "error"), openai_key)) << json::serialize(done);
  EXPECT_TRUE(contains(string_at(done, "error"), "401")) << json::serialize(done);
  EXPECT_EQ(attempts(done), 1);
  EXPECT_EQ(requests().size(), 1u);
}

// 6. A stream cut short is retried; what streamed before the cut stays in the
// log, the output is the second attempt's reply alone.
TEST_F(ai_provider, a_stream_cut_midway_is_retried_and_the_output_is_the_last_attempt) {
  const std::string first = "alpha beta gamma delta epsilon zeta eta theta";
  const std::string second = "one two three four";
  ASSERT_EQ(mock_->script(json::serialize(json::array{
                            json::object{{"text", first}, {"cutAfterTokens", 5}},
                            json::object{{"text", second}}}))
              .status,
            200);
  auto [done, events, log] = run_to_end(flow(openai_, R"("model":"gpt-4o-mini","goal":"Go.",
    "retry":{"maxRetries":2,"initialDelayMs":10,"maxDelayMs":50})"));
  ASSERT_TRUE(ended(done, log, "completed"));
  EXPECT_EQ(done.at("output"), json::value(second)) << "only the final attempt's text";
  auto retries = of(events, "node_retry");
  ASSERT_EQ(retries.size(), 1u) << "a cut stream is retryable\n" << log;
  EXPECT_TRUE(of(events, "node_error").empty()) << log;
  std::size_t retry_at = 0;
  while (retry_at < events.size() && type_of(events[retry_at]) != "node_retry")
    ++retry_at;
  EXPECT_EQ(streamed(events, 0, retry_at), "alpha beta gamma delta epsilon")
    << "the first attempt's tokens happened and are in the log\n" << log;
  EXPECT_EQ(streamed(events, retry_at), second) << log;
  auto complete = completion_of(events);
  EXPECT_EQ(complete.if_contains("output") ? *complete.if_contains("output") : json::value(),
            json::value(second));
  EXPECT_EQ(attempts(done), 2);
}

// 7. outputSchema: the parsed value when it validates; a failure naming the
// path when it does not, not retried.
TEST_F(ai_provider, output_schema_gives_the_parsed_value_or_fails_naming_the_path) {
  ASSERT_EQ(mock_->script(R"({"json":{"answer":42,"tags":["a","b"]}})").status, 200);
  auto ok = run(flow(openai_, R"("model":"gpt-4o-mini","goal":"Answer.",
    "outputSchema":{"type":"object","required":["answer"],
      "properties":{"answer":{"type":"number"},"tags":{"type":"array","items":{"type":"string"}}}})"));
  EXPECT_EQ(string_at(ok, "status"), "completed")
    << json::serialize(ok) << "\n" << summary(replay(string_at(ok, "id")));
  EXPECT_EQ(ok.at("output"), json::parse(R"({"answer":42,"tags":["a","b"]})"))
    << json::serialize(ok.at("output"));

  mock_->clear();
  ASSERT_EQ(mock_->script(R"({"json":{"result":{"score":"high"}}})").status, 200);
  auto bad = run(flow(openai_, R"("model":"gpt-4o-mini","goal":"Score.",
    "retry":{"maxRetries":2,"initialDelayMs":10,"maxDelayMs":50},
    "outputSchema":{"type":"object","properties":{"result":{"type":"object",
      "properties":{"score":{"type":"number"}}}}})"));
  auto events = replay(string_at(bad, "id"));
  auto log = summary(events);
  ASSERT_EQ(string_at(bad, "status"), "failed") << json::serialize(bad) << "\n" << log;
  EXPECT_TRUE(contains(string_at(bad, "error"), "result.score"))
    << "the error names the failing path: " << string_at(bad, "error");
  EXPECT_TRUE(of(events, "node_retry").empty()) << "a reply that fails its schema is not retried\n"
                                                << log;
  auto errors = of(events, "node_error");
  ASSERT_EQ(errors.size(), 1u) << log;
  EXPECT_EQ(errors[0].at("retryable"), false);
  EXPECT_EQ(requests().size(), 1u);
}

// 8. A failing model hands over to the next fallback model.
TEST_F(ai_provider, a_failing_model_falls_back_to_the_next) {
  ASSERT_EQ(mock_->script(R"([{"status":500},{"text":"from model b"}])").status, 200);
  auto [done, events, log] = run_to_end(flow(openai_, R"("model":"model-a","fallbackModels":["model-b"],"goal":"Go.",
    "retry":{"maxRetries":0,"initialDelayMs":10,"maxDelayMs":50})"));
  ASSERT_TRUE(ended(done, log, "completed"));
  EXPECT_EQ(done.at("output"), "from model b");
  auto fallbacks = of(events, "node_fallback");
  ASSERT_EQ(fallbacks.size(), 1u) << log;
  EXPECT_EQ(fallbacks[0].at("from"), "model-a");
  EXPECT_EQ(fallbacks[0].at("to"), "model-b");
  EXPECT_TRUE(of(events, "node_retry").empty()) << "maxRetries 0\n" << log;
  EXPECT_TRUE(of(events, "node_error").empty()) << log;
  EXPECT_EQ(string_at(completion_of(events), "model"), "model-b") << log;
  EXPECT_EQ(attempts(done), 2);
  auto sent = requests();
  ASSERT_EQ(sent.size(), 2u) << json::serialize(sent);
  EXPECT_EQ(string_at(sent[0].at("body"), "model"), "model-a");
  EXPECT_EQ(string_at(sent[1].at("body"), "model"), "model-b");
}

// 9. A cancel aborts the transfer: the mock stops writing tokens within a
// few hundred ms, and nothing follows execution_cancelled.
TEST_F(ai_provider, a_cancel_aborts_the_stream_at_once) {
  ASSERT_EQ(mock_->script(R"({"tokens":200,"tokensPerSecond":20})").status, 200);
  auto id = api_.start(flow(openai_, R"("model":"gpt-4o-mini","goal":"Talk for a while.")"));
  ASSERT_FALSE(id.empty());
  ASSERT_TRUE(api_.wait_node_running(id, "ask")) << summary(replay(id));
  // Some tokens went through the runtime into the log.
  auto deadline = steady::now() + 10s;
  std::size_t deltas = 0;
  while ((deltas = of(replay(id), "node_stream").size()) < 3 && steady::now() < deadline)
    std::this_thread::sleep_for(20ms);
  ASSERT_GE(deltas, 3u) << "no node_stream events while the mock streams\n" << summary(replay(id));

  auto sent_at = epoch_ms();
  auto cancelled = post("/api/executions/" + id + "/cancel", std::nullopt);
  auto returned_at = epoch_ms();
  EXPECT_EQ(cancelled.status, 200) << cancelled.body;
  EXPECT_EQ(string_at(cancelled.json(), "status"), "cancelled") << cancelled.body;

  // Poll the mock until its token count stops growing (8 token periods still).
  auto count_tokens = [&](double& last_written) {
    auto timings = mock_->timings();
    last_written = 0;
    std::size_t n = 0;
    for (const auto& t : timings)
      for (const auto& token : t.at("tokens").as_array()) {
        ++n;
        last_written = std::max(last_written, token.at("writtenAtMs").to_number<double>());
      }
    return n;
  };
  double last_written = 0;
  auto tokens = count_tokens(last_written);
  auto still_since = steady::now();
  deadline = steady::now() + 5s;
  while (steady::now() < deadline && steady::now() - still_since < 400ms) {
    std::this_thread::sleep_for(25ms);
    double w = 0;
    auto n = count_tokens(w);
    if (n != tokens) {
      tokens = n;
      last_written = w;
      still_since = steady::now();
    }
  }
  EXPECT_LT(steady::now(), deadline) << "the mock kept streaming: the transfer was not aborted";
  EXPECT_LT(tokens, 200u) << "the whole reply was streamed";
  EXPECT_LE(last_written, returned_at + 300)
    << "last token written " << (last_written - sent_at) << " ms after the cancel was sent, "
    << (last_written - returned_at) << " ms after it returned (cancel took "
    << (returned_at - sent_at) << " ms); " << tokens << " tokens written";

  auto events = replay(id);
  ASSERT_FALSE(events.empty());
  EXPECT_EQ(type_of(events.back()), "execution_cancelled") << summary(events);
  std::this_thread::sleep_for(500ms);  // ten token periods: would a late delta be written?
  auto later = replay(id);
  EXPECT_EQ(later.size(), events.size()) << "nothing is written after execution_cancelled\n"
                                         << summary(later);
  auto execution = wait_terminal(id, 5s);
  EXPECT_EQ(string_at(execution, "status"), "cancelled");
  EXPECT_NE(string_at(node_view(execution), "status"), "running") << json::serialize(execution);
}

// 10a. A stalled reply times out after timeoutMs: a retryable failure, final
// with maxRetries 0.
TEST_F(ai_provider, a_stall_past_timeout_ms_fails_as_a_timeout) {
  ASSERT_EQ(mock_->script(R"({"stall":true})").status, 200);
  auto begun = steady::now();
  auto [done, events, log] = run_to_end(flow(openai_, R"("model":"gpt-4o-mini","goal":"Go.","timeoutMs":500,
    "retry":{"maxRetries":0,"initialDelayMs":10,"maxDelayMs":50})"),
                  R"({"ticket":"printer on fire"})", 10s);
  auto took = std::chrono::duration_cast<std::chrono::milliseconds>(steady::now() - begun);
  ASSERT_TRUE(ended(done, log, "failed"));
  EXPECT_GE(took.count(), 450) << "failed before timeoutMs";
  EXPECT_LE(took.count(), 5000) << "timeoutMs 500 took " << took.count() << " ms";
  auto errors = of(events, "node_error");
  ASSERT_EQ(errors.size(), 1u) << log;
  EXPECT_EQ(errors[0].at("retryable"), true) << "a timeout is retryable (no retries left)\n" << log;
  auto message = lower(string_at(done, "error"));
  EXPECT_TRUE(contains(message, "timed out") || contains(message, "timeout"))
    << "the error mentions the timeout: " << string_at(done, "error");
  EXPECT_TRUE(of(events, "node_retry").empty()) << log;
}

// 10b. ... and with a retry left, the next attempt runs.
TEST_F(ai_provider, a_stalled_attempt_times_out_and_is_retried) {
  ASSERT_EQ(mock_->script(R"([{"stall":true},{"text":"second try"}])").status, 200);
  auto [done, events, log] = run_to_end(flow(openai_, R"("model":"gpt-4o-mini","goal":"Go.","timeoutMs":500,
    "retry":{"maxRetries":1,"initialDelayMs":10,"maxDelayMs":50})"),
                  R"({"ticket":"printer on fire"})", 10s);
  ASSERT_TRUE(ended(done, log, "completed"));
  EXPECT_EQ(done.at("output"), "second try");
  auto retries = of(events, "node_retry");
  ASSERT_EQ(retries.size(), 1u) << log;
  auto message = lower(string_at(retries[0], "error"));
  EXPECT_TRUE(contains(message, "timed out") || contains(message, "timeout")) << log;
}

} // namespace
} // namespace baley::testing
