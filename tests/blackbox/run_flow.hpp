// Running one flow with `baley run` in a fresh data directory and reading its
// events back, for tests about a block's semantics seen from outside.
#pragma once

#include "ndjson.hpp"
#include "process.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace baley::testing {

inline std::vector<output_line> run_flow(const std::string& flow, int expected_exit) {
  temp_dir dir;
  write_file(dir.path + "/f.json", flow);
  auto r = run_process(baley({"run", dir.path + "/f.json", "--data", dir.path + "/d"}));
  EXPECT_EQ(r.exit_code, expected_exit) << r.err;
  return parse_lines(r.out);
}

} // namespace baley::testing
