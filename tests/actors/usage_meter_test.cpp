// Tests of the usage meter behind /metrics: counts by their labels, and label
// sets that stop growing at max_series (new keys count under "other").
#include "actors/usage_meter.hpp"

#include <gtest/gtest.h>

namespace baley::actors {
namespace {

TEST(usage_meter, counts_node_errors_and_ai_calls_by_their_labels) {
  usage_meter meter;
  meter.node_failed("f", "n", "jq_error");
  meter.node_failed("f", "n", "jq_error");
  meter.node_failed("f", "n", "");
  meter.ai_call("openai", "gpt", true, 10, 5, 0.5);
  meter.ai_call("openai", "gpt", false, 3, 0, 0);
  auto counts = meter.read();
  EXPECT_EQ((counts.node_errors[{"f", "n", "jq_error"}]), 2u);
  EXPECT_EQ((counts.node_errors[{"f", "n", "error"}]), 1u) << "no code counts as error";
  const auto& ai = counts.ai[{"openai", "gpt"}];
  EXPECT_EQ(ai.ok, 1u);
  EXPECT_EQ(ai.failed, 1u);
  EXPECT_EQ(ai.input_tokens, 13);
  EXPECT_EQ(ai.output_tokens, 5);
  EXPECT_EQ(ai.cost, 0.5);
}

TEST(usage_meter, label_sets_are_bounded) {
  usage_meter meter;
  for (std::size_t i = 0; i < usage_meter::max_series + 50; ++i) {
    meter.node_failed("flow", "node-" + std::to_string(i), "c");
    meter.ai_call("openai", "model-" + std::to_string(i), true, 1, 1, 0);
  }
  meter.node_failed("flow", "node-0", "c");  // an existing key still counts as itself
  auto counts = meter.read();
  EXPECT_EQ(counts.node_errors.size(), usage_meter::max_series + 1);
  EXPECT_EQ((counts.node_errors[{"other", "other", "other"}]), 50u);
  EXPECT_EQ((counts.node_errors[{"flow", "node-0", "c"}]), 2u);
  EXPECT_EQ(counts.ai.size(), usage_meter::max_series + 1);
  EXPECT_EQ((counts.ai[{"openai", "other"}].ok), 50u);
}

} // namespace
} // namespace baley::actors
