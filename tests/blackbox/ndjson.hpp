// Reading `baley` NDJSON output in tests: lines as JSON, the events of one
// execution, and small queries over them.
#pragma once

#include "runtime/json_text.hpp"

#include <boost/json.hpp>

#include <sstream>
#include <optional>
#include <string>
#include <vector>

namespace baley::testing {

struct output_line {
  std::string execution_id;
  std::uint64_t index = 0;
  boost::json::object event;
};

inline std::vector<output_line> parse_lines(const std::string& out) {
  std::vector<output_line> lines;
  std::istringstream in(out);
  std::string text;
  while (std::getline(in, text)) {
    if (text.empty())
      continue;
    auto v = boost::json::parse(text).as_object();
    lines.push_back({std::string(v.at("executionId").as_string()),
                     static_cast<std::uint64_t>(v.at("index").to_number<std::int64_t>()),
                     v.at("event").as_object()});
  }
  return lines;
}

inline std::string type_of(const output_line& line) {
  return std::string(line.event.at("type").as_string());
}

inline std::string node_of(const output_line& line) {
  auto* n = line.event.if_contains("nodeId");
  return n && n->is_string() ? std::string(n->as_string()) : std::string();
}

// Lines of events of `type` (about `node_id`, when given).
inline int count(const std::vector<output_line>& lines, std::string_view type,
                 std::optional<std::string_view> node_id = std::nullopt) {
  int n = 0;
  for (const auto& l : lines)
    n += type_of(l) == type && (!node_id || node_of(l) == *node_id);
  return n;
}

} // namespace baley::testing
