// The built-in list prices, the price file parser and the model lookup; see
// price_table.hpp.
#include "runtime/llm/price_table.hpp"

#include <boost/json/object.hpp>

#include <initializer_list>
#include <tuple>

namespace baley::runtime {
namespace {

error invalid(std::string message) {
  return error{"invalid_config", std::move(message), {}};
}

result<model_price> parse_price(const boost::json::value& v, const std::string& where) {
  if (!v.is_object())
    return invalid(where + " must be an object {input, output}");
  const auto& o = v.get_object();
  model_price p;
  for (const auto& field : o) {
    double* slot = field.key() == "input" ? &p.input
                   : field.key() == "output" ? &p.output : nullptr;
    if (!slot)
      return invalid(where + "." + std::string(field.key())
                     + " is not a price (input, output)");
    if (!field.value().is_number() || field.value().to_number<double>() < 0)
      return invalid(where + "." + std::string(field.key())
                     + " must be a non-negative number (USD per 1M tokens)");
    *slot = field.value().to_number<double>();
  }
  if (!o.contains("input") || !o.contains("output"))
    return invalid(where + " needs both input and output");
  return p;
}

} // namespace

price_table price_table::defaults() {
  // List prices, USD per 1M tokens (input, output), from the providers'
  // public pricing pages in 2025. Override with a file.
  price_table t;
  for (auto [name, input, output] : std::initializer_list<
         std::tuple<const char*, double, double>>{
         {"simulated", 0, 0},
         {"gpt-5", 1.25, 10.0},
         {"gpt-5-mini", 0.25, 2.0},
         {"gpt-5-nano", 0.05, 0.40},
         {"gpt-4.1", 2.0, 8.0},
         {"gpt-4.1-mini", 0.40, 1.60},
         {"gpt-4.1-nano", 0.10, 0.40},
         {"gpt-4o", 2.50, 10.0},
         {"gpt-4o-mini", 0.15, 0.60},
         {"gpt-4-turbo", 10.0, 30.0},
         {"gpt-3.5-turbo", 0.50, 1.50},
         {"o1", 15.0, 60.0},
         {"o1-mini", 1.10, 4.40},
         {"o3", 2.0, 8.0},
         {"o3-mini", 1.10, 4.40},
         {"o4-mini", 1.10, 4.40},
         {"claude-opus-4-1", 15.0, 75.0},
         {"claude-opus-4", 15.0, 75.0},
         {"claude-sonnet-4-5", 3.0, 15.0},
         {"claude-sonnet-4", 3.0, 15.0},
         {"claude-haiku-4-5", 1.0, 5.0},
         {"claude-3-7-sonnet", 3.0, 15.0},
         {"claude-3-5-sonnet", 3.0, 15.0},
         {"claude-3-5-haiku", 0.80, 4.0},
         {"claude-3-opus", 15.0, 75.0},
         {"claude-3-haiku", 0.25, 1.25},
       })
    t.set(name, {input, output});
  return t;
}

result<price_table> price_table::parse(const boost::json::value& value) {
  auto table = defaults();
  if (value.is_null())
    return table;
  if (!value.is_object())
    return invalid("a price table must be an object {models, default}");
  price_table file;
  for (const auto& field : value.get_object()) {
    if (field.key() == "default") {
      auto p = parse_price(field.value(), "default");
      if (!p)
        return p.error();
      file.default_ = *p;
    } else if (field.key() == "models") {
      if (!field.value().is_object())
        return invalid("models must be an object keyed by model name");
      for (const auto& entry : field.value().get_object()) {
        if (entry.key().empty())
          return invalid("models has an empty model name");
        auto p = parse_price(entry.value(), "models." + std::string(entry.key()));
        if (!p)
          return p.error();
        file.set(std::string(entry.key()), *p);
      }
    } else {
      return invalid(std::string(field.key()) + " is not a price table key (models, default)");
    }
  }
  table.merge(file);
  return table;
}

void price_table::merge(const price_table& over) {
  for (const auto& [name, price] : over.models_)
    models_[name] = price;
  if (over.default_)
    default_ = over.default_;
}

model_price price_table::find(std::string_view model) const {
  if (auto it = models_.find(model); it != models_.end())
    return it->second;
  const model_price* best = nullptr;
  std::size_t best_length = 0;
  for (const auto& [name, price] : models_)
    if (name.size() > best_length && model.starts_with(name)) {
      best = &price;
      best_length = name.size();
    }
  return best ? *best : default_price();
}

double price_table::cost(std::string_view model, const token_usage& usage) const {
  auto p = find(model);
  return (double(usage.input) * p.input + double(usage.output) * p.output) / 1'000'000.0;
}

} // namespace baley::runtime
