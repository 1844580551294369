// What the pattern matcher records on system/pattern-matches, so that the
// pattern projections are rebuilt from the log like every other one.
#pragma once
//
// decisions_matched: decisions taken from the matcher's queue (each one once)
// and the patterns of their block that they matched. pattern_scanned: one
// chunk of a pattern version's scan over its block's decisions made before
// it was saved; the last chunk says done (or why the scan stopped).

#include "runtime/result.hpp"
#include "runtime/types.hpp"

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace baley::runtime {

// A decision that matched a version of a pattern. created_at is the
// decision's.
struct pattern_match {
  std::string pattern_id;
  std::uint64_t version = 0;
  std::string decision_id;
  bool agreed = false;
  unix_ms created_at = 0;

  bool operator==(const pattern_match&) const = default;
};

struct decisions_matched {
  std::vector<std::string> decision_ids;
  std::vector<pattern_match> matches;

  bool operator==(const decisions_matched&) const = default;
};

// Every match of a chunk names the chunk's pattern and version.
struct pattern_scanned {
  std::string pattern_id;
  std::uint64_t version = 0;
  std::uint64_t decisions = 0;  // evaluated in this chunk
  std::vector<pattern_match> matches;
  bool done = false;
  std::string error;  // set when the scan stopped before the end

  bool operator==(const pattern_scanned&) const = default;
};

using pattern_match_event = std::variant<decisions_matched, pattern_scanned>;

// {"type","ts",...} with matches as [{"patternId","version","decisionId",
// "agreed","createdAt"}] ("patternId" and "version" once per chunk for a scan).
std::string serialize_pattern_match_event(unix_ms ts, const pattern_match_event& event);
// "invalid_event" when the text is not one of them.
result<pattern_match_event> parse_pattern_match_event(std::string_view stored);

// The pattern_matches row of a match: {"decisionId","agreed","createdAt"},
// the item of GET /api/patterns/{id}/matches.
std::string serialize_match_row(const pattern_match& match);
// A row's decision, agreement and time (pattern id and version are in its
// key); "invalid_match" when it is not one.
result<pattern_match> parse_match_row(std::string_view stored);

} // namespace baley::runtime
