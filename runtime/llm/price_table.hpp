// Prices per model in USD per 1M input and output tokens, for the cost on
// node_complete: built-in list prices, overridden by a price file.
#pragma once

// The file's format (one object; both keys optional):
//   {"models":  {"gpt-4o-mini": {"input": 0.15, "output": 0.6}, ...},
//    "default": {"input": 0, "output": 0}}
// `default` prices a model found neither exactly nor by prefix (0 unless
// given). A model is found exactly, else by its longest listed prefix:
// "gpt-4o-mini-2024-07-18" is priced as "gpt-4o-mini", not "gpt-4o".

#include "runtime/llm/llm_stream.hpp"
#include "runtime/result.hpp"

#include <boost/json/value.hpp>

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace baley::runtime {

struct model_price {
  double input = 0;   // USD per 1M input tokens
  double output = 0;  // USD per 1M output tokens
  friend bool operator==(const model_price&, const model_price&) = default;
};

class price_table {
public:
  // The built-in table: public list prices (USD per 1M tokens, 2025) of some
  // well-known OpenAI and Anthropic models, and `simulated` at 0. They are
  // list prices only (no batch or cache discounts): override with a file.
  static price_table defaults();

  // defaults() with the file's entries merged over it. Errors
  // ("invalid_config"): not an object, an unknown top-level key, an entry
  // that is not {input, output} with non-negative numbers.
  static result<price_table> parse(const boost::json::value& value);

  // Entries of `over` replace ours; its default replaces ours if it set one.
  void merge(const price_table& over);

  void set(std::string model, model_price price) { models_[std::move(model)] = price; }

  // Exact, then longest prefix, then the default.
  model_price find(std::string_view model) const;

  // USD for `usage` on `model`.
  double cost(std::string_view model, const token_usage& usage) const;

  const std::map<std::string, model_price, std::less<>>& models() const { return models_; }
  model_price default_price() const { return default_.value_or(model_price{}); }

private:
  std::map<std::string, model_price, std::less<>> models_;
  std::optional<model_price> default_;  // unset: 0, and merge() keeps ours
};

} // namespace baley::runtime
