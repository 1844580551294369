// Patterns (API.md, "Patterns"): a rule a person saw in a block's decisions,
// a jq condition over the decision's input and the output it predicts. A
// decision of the block matches when the condition yields true, and agrees
// when its output also equals the outcome.
#pragma once

#include "runtime/result.hpp"
#include "runtime/types.hpp"

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace baley::runtime {

struct pattern_stats {
  std::uint64_t matched = 0;
  std::uint64_t agreed = 0;
  std::uint64_t disagreed = 0;
  std::optional<unix_ms> last_matched_at;

  // One more matching decision, made at `at`.
  void add(bool agreed, unix_ms at);
  bool operator==(const pattern_stats&) const = default;
};

// What a person gives: POST and PUT /api/patterns.
struct pattern_fields {
  std::string name;
  std::string description;
  std::string block_id;
  std::string condition;        // jq, compiled by the caller
  boost::json::value outcome;   // null: predicts nothing (never agrees)
};

// The body's fields, each checked: "invalid_pattern" naming the field
// (name 1..200 characters, description a string, blockId and condition
// non-empty strings). The condition's jq and the block's existence are the
// caller's to check.
result<pattern_fields> read_pattern_body(const boost::json::value& body);

// Whether a matching decision with `output` agrees with `outcome`: equal as
// JSON values (numbers by value). A null outcome agrees with nothing.
bool agrees(const boost::json::value& outcome, const boost::json::value& output);

// A condition's outputs decide a match when the first one is `true`.
bool condition_holds(const std::vector<boost::json::value>& outputs);

// {"matched","agreed","disagreed","lastMatchedAt"}.
boost::json::object pattern_stats_json(const pattern_stats& stats);

} // namespace baley::runtime
