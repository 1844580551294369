// The flow cases of shared/conformance, for the tests that run them through
// the command line and through the API: the files, sorted, and their JSON.
#pragma once

#include <boost/json.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace baley::testing {

inline std::vector<std::string> conformance_files() {
  std::vector<std::string> files;
  for (const auto& entry : std::filesystem::directory_iterator(BALEY_CONFORMANCE_DIR))
    if (entry.path().extension() == ".json")
      files.push_back(entry.path().string());
  std::sort(files.begin(), files.end());
  return files;
}

inline boost::json::value load_conformance_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return boost::json::parse(text.str());
}

// A gtest-safe name for a case file: its stem with non-alphanumerics as '_'.
inline std::string conformance_case_name(const std::string& path) {
  auto name = std::filesystem::path(path).stem().string();
  std::replace_if(name.begin(), name.end(), [](char c) { return !std::isalnum(c); }, '_');
  return name;
}

} // namespace baley::testing
