// jq programs for function blocks, router conditions, loop `over` and
// inputMapping: compiled once, cached by program text, run many times.
//
// Contract: compiling costs milliseconds, so jq_cache::get compiles a program
// text at most once per concurrent user and keeps it. A jq_program is safe to
// run from several threads: each run leases one compiled jq_state from the
// program's pool (a new one is compiled only when all are busy). Programs are
// deterministic: `now`, `input`, `inputs`, `env`, `$ENV`, `input_filename`,
// `debug`, `stderr` and `halt` are refused at compile time.
//
// Also refused, for the same reason: `_input`, `input_line_number`,
// `halt_error`, `get_search_list`, `get_prog_origin`,
// `get_jq_origin`, `modulemeta`, `localtime`, `strflocaltime` (read TZ),
// `import`/`include` (read files) and `$__loc__`. The check is a token scan
// that skips strings, comments, `.field`s, `$variables` and object keys, so
// `.now`, `{now: 1}` and `$now` are fine; a user `def now:` is refused too.
//
// Values cross into jq and back without text: numbers become doubles in jq
// (libjq 1.6 has no other number), integral results that fit come back as
// int64, others as double; NaN comes back as null and infinities as
// +-DBL_MAX, as jq prints them. Object keys keep jq's order.
#pragma once

#include "runtime/result.hpp"

#include <boost/json/value.hpp>

#include <atomic>
#include <cstddef>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

struct jq_state;

namespace baley::runtime {

// Error codes of compile and run failures.
inline constexpr const char* invalid_jq_code = "invalid_jq";
inline constexpr const char* jq_error_code = "jq_error";
// error(x) where x is an object with "retryable": true; the message is
// x.message when it is a string, else x's JSON.
inline constexpr const char* jq_error_retryable_code = "jq_error_retryable";

// The evaluation ran out of memory (std::bad_alloc in this process).
inline constexpr const char* jq_out_of_memory_code = "out_of_memory";
// A sandboxed evaluation went over its time or memory budget, or was stopped.
inline constexpr const char* limit_exceeded_code = "limit_exceeded";

// No worker process could evaluate it (they cannot be started): retryable.
inline constexpr const char* jq_unavailable_code = "jq_unavailable";

inline bool jq_error_is_retryable(const baley::error& e) {
  return e.code == jq_error_retryable_code || e.code == jq_unavailable_code;
}

// Outputs (and error values) nested deeper than this are refused with
// "jq_error" rather than converted.
inline constexpr std::size_t jq_max_output_depth = 512;

// What libjq calls when it cannot allocate (it aborts after, unless the
// handler does not return). The jq worker process sets one before compiling
// anything; every state compiled afterwards uses it. Not thread-safe to set.
using jq_out_of_memory_handler = void (*)(void*);
void set_jq_out_of_memory_handler(jq_out_of_memory_handler handler);

class jq_program {
public:
  // Compiles `code`; the error (code "invalid_jq") carries jq's own message.
  static result<std::shared_ptr<jq_program>> compile(std::string code);

  ~jq_program();
  jq_program(const jq_program&) = delete;
  jq_program& operator=(const jq_program&) = delete;

  // Every output of the program for `input`, in order. A jq `error(x)` is an
  // error with code "jq_error" and x as message (x's JSON text when x is not
  // a string).
  result<std::vector<boost::json::value>>
  run(const boost::json::value& input) const;

  // Output of a function block: no output -> null, one -> it, several -> array.
  result<boost::json::value> run_single(const boost::json::value& input) const;

  const std::string& code() const noexcept { return code_; }
  std::size_t compiled_states() const noexcept { return compiled_.load(); }

private:
  explicit jq_program(std::string code);
  jq_state* lease() const;
  void give_back(jq_state* state) const;

  std::string code_;
  mutable std::mutex mutex_;
  mutable std::vector<jq_state*> idle_;
  mutable std::atomic<std::size_t> compiled_{0};
};

// A function block's output from its program's outputs: none -> null,
// one -> it, several -> an array.
boost::json::value jq_single_output(std::vector<boost::json::value> outputs);

// Cache of compiled programs by text. Thread-safe.
class jq_cache {
public:
  result<std::shared_ptr<const jq_program>> get(std::string_view code);
  std::size_t size() const;
  std::size_t compiles() const noexcept { return compiles_.load(); }

private:
  mutable std::mutex mutex_;
  std::unordered_map<std::string, std::shared_ptr<const jq_program>> programs_;
  std::atomic<std::size_t> compiles_{0};
};

} // namespace baley::runtime
