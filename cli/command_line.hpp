// What every subcommand shares: flag parsing, the exit codes and the one-line
// JSON error on stderr ({"error","code","errors"?}).
#pragma once

#include "runtime/result.hpp"
#include "sandbox/jq_pool.hpp"
#include "storage/event_log.hpp"

#include <boost/json/object.hpp>

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace baley::cli {

namespace exit_code {
inline constexpr int completed = 0;
inline constexpr int failed = 1;
inline constexpr int invalid = 2;  // invalid flow, bad input or usage
inline constexpr int cancelled = 3;
} // namespace exit_code

// "--name value" flags and positional arguments. Flags named in `switches`
// take no value.
struct arguments {
  std::vector<std::string> positional;
  std::map<std::string, std::string> flags;

  std::optional<std::string> flag(const std::string& name) const;
};

result<arguments> parse_arguments(int argc, char** argv, int first,
                                  const std::vector<std::string>& known_flags,
                                  const std::vector<std::string>& switches = {});

// Writes {"error","code"} (plus extra fields) as one line to stderr.
void print_error(const error& err, boost::json::object extra = {});
int fail(const error& err, int code = exit_code::invalid);

result<storage::durability> parse_durability(const std::optional<std::string>& text);

// --jq-timeout-ms, --jq-memory-mb and --jq-workers (DESIGN.md, "Limits on
// user code"); the flags every command that runs flows takes.
inline const std::vector<std::string> jq_flags = {"jq-timeout-ms", "jq-memory-mb", "jq-workers"};
result<sandbox::jq_pool_options> jq_options_of(const arguments& args);

// An integer flag within [min, max]; `fallback` when absent.
result<long> number_flag(const arguments& args, const std::string& name, long fallback,
                         long min, long max);

// Creates the data directory if needed; error "data_dir_unusable" otherwise.
status prepare_data_dir(const std::string& dir);

// One NDJSON line: {"executionId","index","event"} for a committed event.
std::string ndjson_line(std::string_view execution_id, stream_index index,
                        std::string_view event_json);

int run_command(int argc, char** argv);
int resume_command(int argc, char** argv);
int replay_command(int argc, char** argv);
int audit_command(int argc, char** argv);
int bench_command(int argc, char** argv);
int serve_command(int argc, char** argv);
// `baley admin rebuild --data DIR` (storage/rebuild.hpp).
int admin_command(int argc, char** argv);
// The hidden `baley jq-worker`: one process of the jq sandbox (sandbox/).
int jq_worker_command(int argc, char** argv);

} // namespace baley::cli
