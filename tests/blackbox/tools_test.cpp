// ai-block tools through the API against the mock LLM (API.md, "Block
// testing", Tools): offered in each provider's own wire format, calls and
// results recorded as node_stream events, the result sent back to the model
// (the mock records what reached it), rounds bounded by maxToolRounds, and a
// crash in the middle of a round resumed without running the tool again.
#include "mock_llm_server_test.hpp"
#include "process.hpp"

#include <gtest/gtest.h>

#include <thread>

namespace baley::testing {
namespace {
namespace json = boost::json;

class tools : public mock_llm_server_test {
protected:
  void SetUp() override {
    mock_llm_server_test::SetUp();
    if (HasFatalFailure())
      return;
    auto lookup = api_.post("/api/blocks", R"({"name":"lookup","type":"function-block",
      "config":{"code":"{found: (.query + \"!\")}"}})");
    ASSERT_EQ(lookup.status, 201) << lookup.body;
    lookup_ = string_at(lookup.json(), "id");
  }

  std::string tools_json() const {
    return R"([{"name":"lookup","description":"Finds a thing.","parameters":{"type":"object",
      "required":["query"],"properties":{"query":{"type":"string"}}},"blockId":")" + lookup_
           + R"("}])";
  }

  std::string flow(const std::string& connection_id, const std::string& extra = "") {
    auto id = api_.create_flow(R"({"name":"agent","nodes":[{"id":"in","type":"source"},
      {"id":"ask","type":"ai-block","data":{"connectionId":")" + connection_id
                               + R"(","model":"m","maxTokens":100,"tools":)" + tools_json() + extra
                               + R"(}},{"id":"out","type":"sink"}],
      "edges":[{"source":"in","target":"ask"},{"source":"ask","target":"out"}]})");
    EXPECT_FALSE(id.empty());
    return id;
  }

  std::vector<json::object> streamed(const std::string& id, std::string_view type) {
    std::vector<json::object> out;
    for (const auto& e : api_.replay(id)) {
      const auto& event = e.at("event");
      if (event.at("type") == "node_stream" && string_at(event.at("event"), "type") == type)
        out.push_back(event.at("event").as_object());
    }
    return out;
  }

  json::object node_complete(const std::string& id, std::string_view node) {
    for (const auto& e : api_.replay(id))
      if (e.at("event").at("type") == "node_complete" && string_at(e.at("event"), "nodeId") == node)
        return e.at("event").as_object();
    ADD_FAILURE() << "no node_complete of " << node;
    return {};
  }

  std::string lookup_;
};

const json::object* message_with(const json::array& messages, std::string_view role) {
  for (const auto& m : messages)
    if (string_at(m, "role") == role)
      return &m.as_object();
  return nullptr;
}

TEST_F(tools, openai_tool_calls_run_the_block_and_its_result_goes_back_to_the_model) {
  auto id = flow(connection("openai"));
  ASSERT_EQ(mock_->script(R"([{"toolCall":{"name":"lookup","arguments":{"query":"paris"}}},
                               {"text":"It was found."}])").status, 200);
  auto done = api_.wait_terminal(api_.start(id, R"({"q":"where"})"));
  ASSERT_EQ(string_at(done, "status"), "completed") << done;
  EXPECT_EQ(done.at("output"), "It was found.");

  auto calls = streamed(string_at(done, "id"), "tool_call");
  auto results = streamed(string_at(done, "id"), "tool_result");
  ASSERT_EQ(calls.size(), 1u);
  ASSERT_EQ(results.size(), 1u);
  EXPECT_EQ(calls[0].at("name"), "lookup");
  EXPECT_EQ(calls[0].at("arguments"), json::parse(R"({"query":"paris"})")) << "a JSON value";
  EXPECT_EQ(results[0].at("id"), calls[0].at("id"));
  EXPECT_EQ(results[0].at("output"), json::parse(R"({"found":"paris!"})"));
  auto complete = node_complete(string_at(done, "id"), "ask");
  ASSERT_EQ(complete.at("toolCalls").as_array().size(), 1u);
  EXPECT_EQ(complete.at("toolCalls").at(0).at("output"), json::parse(R"({"found":"paris!"})"));

  auto sent = mock_->requests();
  ASSERT_EQ(sent.size(), 2u);
  const auto& offered = sent[0].at("body").at("tools").at(0);
  EXPECT_EQ(offered.at("type"), "function");
  EXPECT_EQ(offered.at("function").at("name"), "lookup");
  EXPECT_EQ(offered.at("function").at("description"), "Finds a thing.");
  EXPECT_EQ(offered.at("function").at("parameters").at("required"), json::array({"query"}));
  const auto& messages = sent[1].at("body").at("messages").as_array();
  const auto* assistant = message_with(messages, "assistant");
  ASSERT_NE(assistant, nullptr) << messages;
  EXPECT_EQ(assistant->at("tool_calls").at(0).at("id"), calls[0].at("id"));
  EXPECT_EQ(json::parse(assistant->at("tool_calls").at(0).at("function").at("arguments").as_string()),
            json::parse(R"({"query":"paris"})"));
  const auto* tool = message_with(messages, "tool");
  ASSERT_NE(tool, nullptr) << messages;
  EXPECT_EQ(tool->at("tool_call_id"), calls[0].at("id"));
  EXPECT_EQ(json::parse(tool->at("content").as_string()), json::parse(R"({"found":"paris!"})"))
    << "the tool's result reached the model";
}

TEST_F(tools, anthropic_tool_use_and_tool_result_in_its_own_format) {
  auto id = flow(connection("anthropic"));
  ASSERT_EQ(mock_->script(R"([{"toolCall":{"name":"lookup","arguments":{"query":"rome"}}},
                               {"text":"Done."}])").status, 200);
  auto done = api_.wait_terminal(api_.start(id, "{}"));
  ASSERT_EQ(string_at(done, "status"), "completed") << done;
  EXPECT_EQ(done.at("output"), "Done.");
  auto sent = mock_->requests();
  ASSERT_EQ(sent.size(), 2u);
  const auto& offered = sent[0].at("body").at("tools").at(0);
  EXPECT_EQ(offered.at("name"), "lookup");
  EXPECT_EQ(offered.at("input_schema").at("type"), "object");
  const auto& messages = sent[1].at("body").at("messages").as_array();
  ASSERT_EQ(messages.size(), 3u) << messages;
  const auto& use = messages[1].at("content").at(0);
  EXPECT_EQ(use.at("type"), "tool_use");
  EXPECT_EQ(use.at("input"), json::parse(R"({"query":"rome"})"));
  const auto& result = messages[2].at("content").at(0);
  EXPECT_EQ(messages[2].at("role"), "user");
  EXPECT_EQ(result.at("type"), "tool_result");
  EXPECT_EQ(result.at("tool_use_id"), use.at("id"));
  EXPECT_EQ(json::parse(result.at("content").as_string()), json::parse(R"({"found":"rome!"})"));
}

TEST_F(tools, rounds_stop_at_max_tool_rounds_and_bad_arguments_answer_an_error) {
  auto id = flow(connection("openai"), R"(,"maxToolRounds":2)");
  ASSERT_EQ(mock_->script(R"([{"toolCall":{"name":"lookup","arguments":{"query":"a"}}},
                               {"toolCall":{"name":"lookup","arguments":{"nope":1}}},
                               {"toolCall":{"name":"lookup","arguments":{"query":"c"}}}])").status, 200);
  auto done = api_.wait_terminal(api_.start(id, "{}"));
  ASSERT_EQ(string_at(done, "status"), "failed") << done;
  EXPECT_NE(string_at(done, "error").find("maxToolRounds"), std::string::npos) << done;
  auto results = streamed(string_at(done, "id"), "tool_result");
  ASSERT_EQ(results.size(), 2u);
  EXPECT_EQ(results[0].at("output"), json::parse(R"({"found":"a!"})"));
  EXPECT_TRUE(results[1].at("output").as_object().contains("error"))
    << "arguments the parameters refuse are answered with an error: " << results[1];
  EXPECT_EQ(mock_->requests().size(), 3u);
  for (const auto& e : api_.replay(string_at(done, "id"))) {
    if (e.at("event").at("type") == "node_error") {
      EXPECT_EQ(e.at("event").at("code"), "tool_rounds_exceeded");
    }
  }
}

TEST_F(tools, a_tool_whose_parameters_are_not_a_schema_is_refused_with_its_name) {
  auto conn = connection("openai");
  auto bad = [&](const std::string& tools_json) {
    return api_.post("/api/flows", R"({"name":"bad","nodes":[{"id":"in","type":"source"},
      {"id":"ask","type":"ai-block","data":{"connectionId":")" + conn
                                       + R"(","model":"m","tools":)" + tools_json + R"(}}],
      "edges":[{"source":"in","target":"ask"}]})");
  };
  for (const auto& tools_json :
       {std::string(R"([{"name":"t1","parameters":[1]}])"),
        std::string(R"([{"name":"t1","parameters":{"type":"nonsense"}}])"),
        std::string(R"([{"name":"t1","blockId":"0190aaaa-0000-7000-8000-000000000000"}])"),
        std::string(R"([{"name":"bad name"}])"), std::string(R"({"name":"t1"})")}) {
    auto r = bad(tools_json);
    EXPECT_EQ(r.status, 400) << tools_json;
    EXPECT_EQ(string_at(r.json(), "code"), "invalid_flow") << tools_json;
    EXPECT_NE(r.body.find("ask"), std::string::npos) << "names the node: " << r.body;
  }
  EXPECT_NE(bad(R"([{"name":"t1","parameters":[1]}])").body.find("t1"), std::string::npos);
  auto ai = api_.post("/api/blocks", R"({"name":"x","type":"ai-block","config":{"connectionId":")"
                                       + conn + R"(","model":"m"}})");
  auto r = bad(R"([{"name":"t1","blockId":")" + string_at(ai.json(), "id") + "\"}]");
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("not a function-block"), std::string::npos) << r.body;
}

TEST_F(tools, a_crash_in_the_middle_of_a_round_resumes_without_running_the_tool_twice) {
  auto id = flow(connection("openai"));
  ASSERT_EQ(mock_->script(R"([{"toolCall":{"name":"lookup","arguments":{"query":"x"}}},
                               {"stall":true}])").status, 200);
  auto execution = api_.start(id, "{}");
  ASSERT_FALSE(execution.empty());
  // The tool ran and its result is durable; the second model call hangs.
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (streamed(execution, "tool_result").empty() && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  ASSERT_EQ(streamed(execution, "tool_result").size(), 1u);
  while (mock_->requests().size() < 2 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  server_.kill();
  mock_->clear();
  ASSERT_EQ(mock_->script(R"([{"text":"Resumed."}])").status, 200);
  ASSERT_TRUE(server_.start()) << server_.diagnostics();
  api_ = server_.admin();
  auto done = api_.wait_terminal(execution);
  ASSERT_EQ(string_at(done, "status"), "completed") << done;
  EXPECT_EQ(done.at("output"), "Resumed.");
  EXPECT_EQ(streamed(execution, "tool_call").size(), 1u) << "the model was not asked again";
  EXPECT_EQ(streamed(execution, "tool_result").size(), 1u) << "the tool did not run again";
  auto sent = mock_->requests();
  ASSERT_EQ(sent.size(), 1u) << "one model call after the restart";
  const auto* tool = message_with(sent[0].at("body").at("messages").as_array(), "tool");
  ASSERT_NE(tool, nullptr) << "the resumed call carries the recorded result";
  EXPECT_EQ(json::parse(tool->at("content").as_string()), json::parse(R"({"found":"x!"})"));
}

} // namespace
} // namespace baley::testing
