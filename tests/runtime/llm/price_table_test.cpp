// Tests for runtime/price_table: built-in list prices, the price file,
// overrides over defaults, exact then longest-prefix lookup, and cost.
#include "runtime/llm/price_table.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>

namespace baley::runtime {
namespace {

namespace json = boost::json;

TEST(price_table, defaults_have_list_prices_and_a_free_simulated_model) {
  auto t = price_table::defaults();
  EXPECT_EQ(t.find("gpt-4o-mini"), (model_price{0.15, 0.60}));
  EXPECT_EQ(t.find("gpt-4o"), (model_price{2.50, 10.0}));
  EXPECT_EQ(t.find("claude-3-5-haiku"), (model_price{0.80, 4.0}));
  EXPECT_EQ(t.find("simulated"), (model_price{0, 0}));
  EXPECT_EQ(t.cost("simulated", {1'000'000, 1'000'000}), 0.0);
  for (const auto& [name, price] : t.models()) {
    EXPECT_GE(price.input, 0) << name;
    EXPECT_GE(price.output, price.input) << name;
  }
}

TEST(price_table, lookup_is_exact_then_longest_prefix_then_default) {
  auto t = price_table::defaults();
  EXPECT_EQ(t.find("gpt-4o-mini-2024-07-18"), t.find("gpt-4o-mini"));
  EXPECT_EQ(t.find("gpt-4o-2024-08-06"), t.find("gpt-4o"));
  EXPECT_EQ(t.find("claude-3-5-sonnet-20241022"), t.find("claude-3-5-sonnet"));
  EXPECT_EQ(t.find("claude-sonnet-4-5-20250929"), t.find("claude-sonnet-4-5"));
  EXPECT_EQ(t.find("claude-sonnet-4-20250514"), t.find("claude-sonnet-4"));
  EXPECT_EQ(t.find("o3-mini-2025-01-31"), t.find("o3-mini"));
  EXPECT_EQ(t.find("llama3:8b"), (model_price{0, 0}));
  EXPECT_EQ(t.find(""), (model_price{0, 0}));
  EXPECT_EQ(t.find("gpt"), (model_price{0, 0}));  // a name shorter than any key
}

TEST(price_table, cost_is_per_million_tokens) {
  auto t = price_table::defaults();
  EXPECT_DOUBLE_EQ(t.cost("gpt-4o-mini", {1'000'000, 0}), 0.15);
  EXPECT_DOUBLE_EQ(t.cost("gpt-4o-mini", {0, 1'000'000}), 0.60);
  EXPECT_DOUBLE_EQ(t.cost("gpt-4o-mini-2024-07-18", {1000, 500}),
                   (1000 * 0.15 + 500 * 0.60) / 1e6);
  EXPECT_EQ(t.cost("gpt-4o", {0, 0}), 0.0);
}

TEST(price_table, a_file_overrides_and_extends_the_defaults) {
  auto t = price_table::parse(json::parse(R"({
    "models": {"gpt-4o-mini": {"input": 1, "output": 2},
               "llama3": {"input": 0.05, "output": 0.1}},
    "default": {"input": 3, "output": 4}})"));
  ASSERT_TRUE(t) << t.error().message;
  EXPECT_EQ(t->find("gpt-4o-mini-2024-07-18"), (model_price{1, 2}));
  EXPECT_EQ(t->find("gpt-4o"), (model_price{2.50, 10.0}));  // kept from defaults
  EXPECT_EQ(t->find("llama3:70b"), (model_price{0.05, 0.1}));
  EXPECT_EQ(t->find("mistral-large"), (model_price{3, 4}));
  EXPECT_EQ(t->default_price(), (model_price{3, 4}));
}

TEST(price_table, both_keys_are_optional) {
  for (auto text : {"null", "{}", R"({"models":{}})"}) {
    auto t = price_table::parse(json::parse(text));
    ASSERT_TRUE(t) << text;
    EXPECT_EQ(t->models(), price_table::defaults().models());
    EXPECT_EQ(t->default_price(), (model_price{0, 0}));
  }
}

TEST(price_table, merge_keeps_our_default_unless_the_other_sets_one) {
  auto base = price_table::defaults();
  price_table over;
  over.set("x", {1, 1});
  base.merge(over);
  EXPECT_EQ(base.find("x-1"), (model_price{1, 1}));
  EXPECT_EQ(base.default_price(), (model_price{0, 0}));
}

TEST(price_table, bad_files_are_errors_naming_the_place) {
  struct bad { const char* text; const char* mentions; };
  for (auto [text, mentions] : {
         bad{"[]", "object"},
         bad{R"({"model": {}})", "model"},
         bad{R"({"models": []})", "models"},
         bad{R"({"models": {"a": 1}})", "models.a"},
         bad{R"({"models": {"a": {"input": 1}}})", "output"},
         bad{R"({"models": {"a": {"input": -1, "output": 1}}})", "models.a.input"},
         bad{R"({"models": {"a": {"input": "1", "output": 1}}})", "non-negative"},
         bad{R"({"models": {"a": {"input": 1, "output": 1, "cached": 0}}})", "cached"},
         bad{R"({"models": {"": {"input": 1, "output": 1}}})", "empty"},
         bad{R"({"default": {"output": 1}})", "default"},
       }) {
    auto t = price_table::parse(json::parse(text));
    ASSERT_FALSE(t) << text;
    EXPECT_EQ(t.error().code, "invalid_config");
    EXPECT_NE(t.error().message.find(mentions), std::string::npos)
      << text << " -> " << t.error().message;
  }
}

} // namespace
} // namespace baley::runtime
