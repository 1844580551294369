// Tests for runtime/ai_settings: every field of an ai-block's data with its
// default and bounds, every problem at once, models(), the user message.
#include "runtime/llm/ai_settings.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <exception>
#include <string>
#include <utility>
#include <vector>

namespace baley::runtime {
namespace {

namespace json = boost::json;

constexpr std::string_view base = R"("connectionId":"conn-1","model":"gpt-x")";

using problem_list = std::vector<std::string>;

// Parses {base, extra}; the problems it reports, or none when it is valid.
problem_list problems_of(std::string_view extra, ai_settings* out = nullptr) {
  auto text = "{" + std::string(base) + (extra.empty() ? "" : ",") + std::string(extra) + "}";
  problem_list problems;
  try {
    auto parsed = parse_ai_settings(json::parse(text).as_object(), problems);
    EXPECT_EQ(bool(parsed), problems.empty()) << text;
    if (parsed && out)
      *out = *parsed;
    EXPECT_TRUE(parsed || parsed.error().code == "invalid_flow") << text;
  } catch (const std::exception& e) {
    ADD_FAILURE() << text << " threw: " << e.what();
    problems.emplace_back("(threw)");
  }
  return problems;
}

ai_settings parsed(std::string_view extra) {
  ai_settings s;
  EXPECT_EQ(problems_of(extra, &s), problem_list{}) << extra;
  return s;
}

TEST(ai_settings, defaults_with_only_the_required_fields) {
  auto s = parsed("");
  EXPECT_EQ(s.connection_id, "conn-1");
  EXPECT_EQ(s.model, "gpt-x");
  EXPECT_TRUE(s.fallback_models.empty());
  EXPECT_EQ(s.system_prompt, "");
  EXPECT_EQ(s.goal, "");
  EXPECT_FALSE(s.temperature);
  EXPECT_FALSE(s.max_tokens);
  EXPECT_EQ(s.output_schema, nullptr);
  EXPECT_TRUE(s.output_schema_json.is_null());
  EXPECT_EQ(s.timeout_ms, 120'000);
  EXPECT_EQ(s.breaker.failure_threshold, 5u);
  EXPECT_EQ(s.breaker.window_ms, 60'000);
  EXPECT_EQ(s.breaker.cooldown_ms, 30'000);
  EXPECT_EQ(s.breaker.probe_timeout_ms, 300'000);
  // null is the same as absent.
  auto nulls = parsed(R"("systemPrompt":null,"goal":null,"temperature":null,"maxTokens":null,)"
                      R"("timeoutMs":null,"fallbackModels":null,"breaker":null,)"
                      R"("outputSchema":null)");
  EXPECT_FALSE(nulls.temperature);
  EXPECT_EQ(nulls.timeout_ms, 120'000);
}

TEST(ai_settings, every_field_is_read) {
  auto s = parsed(R"("fallbackModels":["gpt-y","gpt-z"],"systemPrompt":"Be brief.",)"
                  R"("goal":"Summarize.","temperature":0.5,"maxTokens":256,"timeoutMs":9000,)"
                  R"("breaker":{"failureThreshold":3,"windowMs":1000,"cooldownMs":2000,)"
                  R"("probeTimeoutMs":4000},"outputSchema":{"required":["answer"]})");
  EXPECT_EQ(s.fallback_models, (problem_list{"gpt-y", "gpt-z"}));
  EXPECT_EQ(s.system_prompt, "Be brief.");
  EXPECT_EQ(s.goal, "Summarize.");
  EXPECT_EQ(s.temperature, std::optional<double>(0.5));
  EXPECT_EQ(s.max_tokens, std::optional<std::int64_t>(256));
  EXPECT_EQ(s.timeout_ms, 9000);
  EXPECT_EQ(s.breaker.failure_threshold, 3u);
  EXPECT_EQ(s.breaker.window_ms, 1000);
  EXPECT_EQ(s.breaker.cooldown_ms, 2000);
  EXPECT_EQ(s.breaker.probe_timeout_ms, 4000);
  ASSERT_NE(s.output_schema, nullptr);
  EXPECT_EQ(s.output_schema_json, json::parse(R"({"required":["answer"]})"));
  EXPECT_TRUE(s.output_schema->validate(json::parse(R"({"answer":1})"), "output"));
  EXPECT_FALSE(s.output_schema->validate(json::parse("{}"), "output"));
}

TEST(ai_settings, connection_and_model_are_required_and_reported_together) {
  std::vector<std::string> problems{"earlier problem"};
  auto outcome = parse_ai_settings(json::object{}, problems);
  EXPECT_EQ(problems, (problem_list{"earlier problem", "ai-block needs data.connectionId",
                                    "ai-block needs data.model"}));
  ASSERT_FALSE(outcome);
  EXPECT_EQ(outcome.error().code, "invalid_flow");
  EXPECT_EQ(outcome.error().message, "ai-block needs data.model");
  // Problems already in the list do not make a valid block invalid.
  std::vector<std::string> earlier{"earlier problem"};
  EXPECT_TRUE(parse_ai_settings(json::parse(std::string("{") + std::string(base) + "}")
                                  .as_object(), earlier));
  EXPECT_EQ(earlier.size(), 1u);
}

TEST(ai_settings, every_problem_is_reported_at_once) {
  std::vector<std::string> problems;
  auto outcome = parse_ai_settings(
    json::parse(R"({"connectionId":"","model":5,"temperature":3,)"
                R"("maxTokens":0,"timeoutMs":50,"fallbackModels":"gpt-y","breaker":[],)"
                R"("outputSchema":[1]})").as_object(),
    problems);
  EXPECT_EQ(problems, (problem_list{
    "data.connectionId must be a non-empty string",
    "data.model must be a non-empty string",
    "data.temperature must be a number from 0 to 2",
    "data.maxTokens must be an integer from 1 to 1000000",
    "data.timeoutMs must be an integer from 100 to 3600000",
    "data.fallbackModels must be an array of model names",
    "data.breaker: breaker settings must be an object",
    "data.outputSchema is not a valid JSON Schema: "
    "a JSON Schema is an object or a boolean, not [1]"}));
  ASSERT_FALSE(outcome);
  EXPECT_EQ(outcome.error().message, problems.back());
}

TEST(ai_settings, prompts_may_be_empty_but_must_be_text) {
  EXPECT_EQ(parsed(R"("systemPrompt":"","goal":"")").system_prompt, "");
  EXPECT_EQ(problems_of(R"("systemPrompt":7)"), problem_list{"data.systemPrompt must be a string"});
  EXPECT_EQ(problems_of(R"("goal":["a"])"), problem_list{"data.goal must be a string"});
}

TEST(ai_settings, temperature_is_from_0_to_2) {
  EXPECT_EQ(parsed(R"("temperature":0)").temperature, std::optional<double>(0.0));
  EXPECT_EQ(parsed(R"("temperature":2)").temperature, std::optional<double>(2.0));
  for (auto bad : {R"("temperature":-0.1)", R"("temperature":2.01)", R"("temperature":"hot")",
                   R"("temperature":true)"})
    EXPECT_EQ(problems_of(bad), problem_list{"data.temperature must be a number from 0 to 2"})
      << bad;
}

TEST(ai_settings, max_tokens_and_timeout_are_bounded) {
  EXPECT_EQ(parsed(R"("maxTokens":1)").max_tokens, std::optional<std::int64_t>(1));
  EXPECT_EQ(parsed(R"("maxTokens":1000000)").max_tokens, std::optional<std::int64_t>(1'000'000));
  EXPECT_EQ(parsed(R"("maxTokens":1e6)").max_tokens, std::optional<std::int64_t>(1'000'000));
  for (auto bad : {R"("maxTokens":0)", R"("maxTokens":1000001)", R"("maxTokens":-5)",
                   R"("maxTokens":"256")"})
    EXPECT_EQ(problems_of(bad), problem_list{"data.maxTokens must be an integer from 1 to 1000000"})
      << bad;
  EXPECT_EQ(parsed(R"("timeoutMs":100)").timeout_ms, 100);
  EXPECT_EQ(parsed(R"("timeoutMs":3600000)").timeout_ms, 3'600'000);
  for (auto bad : {R"("timeoutMs":99)", R"("timeoutMs":3600001)", R"("timeoutMs":[])"})
    EXPECT_EQ(problems_of(bad), problem_list{"data.timeoutMs must be an integer from 100 to 3600000"})
      << bad;
}

// A token count or a timeout in milliseconds is a whole number: a fraction
// is a problem like any other, never an exception out of the parser.
TEST(ai_settings, a_fractional_token_count_or_timeout_is_a_problem_not_a_throw) {
  for (auto bad : {R"("maxTokens":1.5)", R"("timeoutMs":150.5)"}) {
    auto problems = problems_of(bad);
    ASSERT_EQ(problems.size(), 1u) << bad;
    EXPECT_EQ(problems[0].rfind("data.", 0), 0u) << bad << ": " << problems[0];
  }
}

TEST(ai_settings, fallback_models_follow_the_model_in_order) {
  EXPECT_EQ(parsed("").models(), problem_list{"gpt-x"});
  EXPECT_EQ(parsed(R"("fallbackModels":[])").models(), problem_list{"gpt-x"});
  EXPECT_EQ(parsed(R"("fallbackModels":["b","a"])").models(), (problem_list{"gpt-x", "b", "a"}));
  for (auto bad : {R"("fallbackModels":["b",""])", R"("fallbackModels":["b",5])",
                   R"("fallbackModels":{"0":"b"})"})
    EXPECT_EQ(problems_of(bad), problem_list{"data.fallbackModels must be an array of model names"})
      << bad;
}

TEST(ai_settings, breaker_problems_name_the_setting) {
  EXPECT_EQ(problems_of(R"("breaker":{"failureThreshold":0})"),
            problem_list{"data.breaker: breaker.failureThreshold must be an integer from 1 to 1000"});
  EXPECT_EQ(problems_of(R"("breaker":{"retries":1})"),
            problem_list{"data.breaker: breaker.retries is not a setting"
                         " (failureThreshold, windowMs, cooldownMs, probeTimeoutMs)"});
}

TEST(ai_settings, user_message_is_the_goal_then_the_input) {
  auto input = json::parse(R"({"b":1,"a":[true,null,"x"]})");
  auto with_goal = parsed(R"("goal":"Summarize.")");
  EXPECT_EQ(render_user_message(with_goal, input),
            "Summarize.\n\nInput:\n{\"b\":1,\"a\":[true,null,\"x\"]}");
  EXPECT_EQ(render_user_message(with_goal, input), render_user_message(with_goal, input));
  EXPECT_EQ(render_user_message(parsed(""), json::value("hi")), "Input:\n\"hi\"");
  EXPECT_EQ(render_user_message(parsed(""), nullptr), "Input:\nnull");
}

} // namespace
} // namespace baley::runtime
