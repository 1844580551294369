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

// The fields as a pattern_saved event stores them:
// {"name","description","blockId","condition","outcome"}.
boost::json::object pattern_fields_json(const pattern_fields& fields);

// The jq program that matches a condition over many decisions at once: its
// input is an array of decision inputs, its one output an array of booleans,
// each true when the condition's first output over that input is `true` (an
// error is no match). The condition stays one expression: it is closed in
// parentheses on a line of its own, so that a trailing comment ends there.
std::string match_program(std::string_view condition);

// The booleans of match_program's outputs for `count` inputs; "jq_error"
// when they are not one array of `count` booleans.
result<std::vector<bool>> read_match_results(const std::vector<boost::json::value>& outputs,
                                             std::size_t count);

// The pattern_stats row: the stats of one version of a pattern,
// {"version", then the stats' fields}. A row that does not parse reads as
// version 0.
struct versioned_stats {
  std::uint64_t version = 0;
  pattern_stats stats;
};
std::string serialize_versioned_stats(const versioned_stats& row);
versioned_stats parse_versioned_stats(std::string_view stored);

} // namespace baley::runtime
