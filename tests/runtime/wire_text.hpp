// Reading wire text in the event tests: the keys of a serialized event in the
// order they were written, so that field order and spelling are pinned.
#pragma once

#include <boost/json/parse.hpp>

#include <string>
#include <vector>

namespace baley::runtime::testing {

inline std::vector<std::string> keys_of(const std::string& text) {
  std::vector<std::string> keys;
  auto parsed = boost::json::parse(text);
  for (const auto& kv : parsed.as_object())
    keys.emplace_back(kv.key());
  return keys;
}

} // namespace baley::runtime::testing
