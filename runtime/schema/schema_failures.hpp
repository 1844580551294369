// Turning valijson's failures into one line a person can act on:
//   input.items[2].price: expected number, got string
// valijson names a path as "[items]" "[2]" "[price]" (key or index alike) and
// a type failure as "Value type not permitted by 'type' constraint."; the
// instance tells keys from indexes and the schema tells what was expected.
#pragma once

#include <boost/json/value.hpp>

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace baley::runtime {

struct schema_failure {
  std::vector<std::string> context;  // "<root>", then "[key]" or "[index]" per step
  std::string description;           // valijson's sentence
};

inline constexpr std::size_t max_reported_failures = 3;

// The failures as "path: reason" joined with "; ", leaf failures first, at
// most max_reported_failures of them and a count of the rest. Summaries that
// only repeat a nested failure ("Failed to validate item #2") are left out
// when a more precise failure is there. `schema` is the compiled document;
// `root` names the instance ("input").
std::string describe_failures(const boost::json::value& schema,
                              const boost::json::value& instance,
                              const std::vector<schema_failure>& failures,
                              std::string_view root);

// "input", "input.items[2].price", "input[\"odd key\"]".
std::string instance_path(std::string_view root, const boost::json::value& instance,
                          const std::vector<std::string>& context);

} // namespace baley::runtime
