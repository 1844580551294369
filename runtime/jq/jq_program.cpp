// jq programs for function blocks, router conditions, loop `over` and
// inputMapping: libjq 1.6 compile and run, a pool of states per program.
//
// jv refcounts are not atomic: every jv made from a jq_state stays on the
// thread that leased that state and is freed before the state is given back.
#include "runtime/jq/jq_program.hpp"

#include "runtime/jq/jq_determinism.hpp"
#include "runtime/jq/jq_values.hpp"

extern "C" {
#include <jq.h>
#include <jv.h>
}

#include <boost/json.hpp>

#include <array>
#include <cfloat>
#include <climits>
#include <cmath>
#include <cstdint>
#include <exception>
#include <mutex>
#include <optional>

namespace baley::runtime {
namespace {

namespace json = boost::json;

baley::error invalid_jq(std::string message) {
  return {invalid_jq_code, std::move(message), {}};
}

// ---- compile -------------------------------------------------------------

// "jq: error: syntax error, unexpected '|' (Unix shell quoting issues?) at
// <top-level>, line 1:\n.a | | .b" -> "syntax error, unexpected '|' at line 1".
// The closing "jq: 1 compile error" summary becomes empty.
std::string clean_compile_message(std::string m) {
  m = m.substr(0, m.find('\n'));
  if (m.rfind("jq: error: ", 0) == 0) m.erase(0, 11);
  else if (m.rfind("jq: ", 0) == 0 && m.find(" compile error") != std::string::npos) return {};
  if (auto p = m.find(" (Unix shell quoting issues?)"); p != std::string::npos) m.erase(p, 29);
  if (auto p = m.find(" at <top-level>, line "); p != std::string::npos) m.replace(p, 22, " at line ");
  while (!m.empty() && (m.back() == ':' || m.back() == ' ')) m.pop_back();
  return m;
}

extern "C" void collect_compile_error(void* data, jv message) {
  jv_owner text(jq_format_error(message));
  try {
    if (jv_get_kind(text.get()) != JV_KIND_STRING) return;
    auto cleaned = clean_compile_message(jv_string_value(text.get()));
    if (!cleaned.empty()) static_cast<std::vector<std::string>*>(data)->push_back(std::move(cleaned));
  } catch (...) {  // never unwind through C frames
  }
}

extern "C" void ignore_error(void*, jv message) { jv_free(message); }

// Oniguruma initializes itself on the first regex, unsynchronized (a data
// race under helgrind when two first runs use `test`). Run one regex before
// any program can run.
void initialize_regex_once() {
  static std::once_flag once;
  std::call_once(once, [] {
    jq_state* state = jq_init();
    if (state == nullptr) return;
    jq_set_error_cb(state, ignore_error, nullptr);
    if (jq_compile(state, "test(\"a\")")) {
      jq_start(state, jv_string("a"), 0);
      jv_free(jq_next(state));
    }
    jq_teardown(&state);
  });
}

jq_out_of_memory_handler out_of_memory_handler = nullptr;

// A compiled state, or nullptr with `error` set to one clean line.
jq_state* compile_state(const std::string& code, std::string& error) {
  initialize_regex_once();
  jq_state* state = jq_init();
  if (state == nullptr) {
    error = "jq: out of memory";
    return nullptr;
  }
  // jq_next() installs the state's handler for its thread on every call.
  if (out_of_memory_handler != nullptr)
    jq_set_nomem_handler(state, out_of_memory_handler, nullptr);
  std::vector<std::string> messages;
  jq_set_error_cb(state, collect_compile_error, &messages);
  const int compiled = jq_compile(state, code.c_str());
  jq_set_error_cb(state, ignore_error, nullptr);
  if (compiled) return state;
  jq_teardown(&state);
  error = "jq:";
  for (std::size_t i = 0; i < messages.size(); ++i) error += (i ? "; " : " ") + messages[i];
  if (messages.empty()) error += " program does not compile";
  return nullptr;
}


baley::error too_deep() {
  return {jq_error_code,
          "jq: value nested deeper than " + std::to_string(jq_max_output_depth) + " levels", {}};
}

// error(x): x's text, or for {"retryable": true, "message": ...} the message.
baley::error error_from(jv_owner message) {
  if (jv_get_kind(message.get()) == JV_KIND_STRING)
    return {jq_error_code, jv_string_value(message.get()), {}};
  json::value value;
  if (!from_jv(message.get(), value, 0)) return too_deep();
  if (const auto* object = value.if_object()) {
    const auto* retryable = object->if_contains("retryable");
    if (retryable != nullptr && retryable->is_bool() && retryable->get_bool()) {
      const auto* text = object->if_contains("message");
      return {jq_error_retryable_code,
              text != nullptr && text->is_string() ? std::string(text->get_string())
                                                   : json::serialize(value),
              {}};
    }
  }
  return {jq_error_code, json::serialize(value), {}};
}

} // namespace

// ---- jq_program ------------------------------------------------------------

void set_jq_out_of_memory_handler(jq_out_of_memory_handler handler) {
  out_of_memory_handler = handler;
}

jq_program::jq_program(std::string code) : code_(std::move(code)) {}

jq_program::~jq_program() {
  for (jq_state* state : idle_) jq_teardown(&state);
}

result<std::shared_ptr<jq_program>> jq_program::compile(std::string code) {
  try {
    if (code.find('\0') != std::string::npos) return invalid_jq("jq: program contains a NUL byte");
    if (auto refused = check_deterministic(code)) return *refused;
    std::string message;
    jq_state* state = compile_state(code, message);
    if (state == nullptr) return invalid_jq(std::move(message));
    std::shared_ptr<jq_program> program;
    try {
      program.reset(new jq_program(std::move(code)));
      program->idle_.push_back(state);
    } catch (...) {
      jq_teardown(&state);
      throw;
    }
    program->compiled_ = 1;
    return program;
  } catch (const std::exception& e) {
    return invalid_jq(std::string("jq: ") + e.what());
  }
}

jq_state* jq_program::lease() const {
  {
    std::lock_guard lock(mutex_);
    if (!idle_.empty()) {
      jq_state* state = idle_.back();
      idle_.pop_back();
      return state;
    }
  }
  std::string ignored;  // it compiled once, so it compiles again
  jq_state* state = compile_state(code_, ignored);
  if (state != nullptr) ++compiled_;
  return state;
}

void jq_program::give_back(jq_state* state) const {
  std::lock_guard lock(mutex_);
  idle_.push_back(state);
}

result<std::vector<boost::json::value>>
jq_program::run(const boost::json::value& input) const {
  jq_state* state = lease();
  if (state == nullptr) return baley::error{jq_error_code, "jq: out of memory", {}};
  struct returner {
    const jq_program* program;
    jq_state* state;
    ~returner() {
      jq_start(state, jv_null(), 0);  // drop references to this run's values
      program->give_back(state);
    }
  } guard{this, state};
  try {
    jv_owner in(to_jv(input));
    if (!jv_is_valid(in.get())) return error_from(jv_owner(jv_invalid_get_msg(in.release())));
    jq_start(state, in.release(), 0);
    std::vector<json::value> outputs;
    for (;;) {
      jv_owner out(jq_next(state));
      if (jv_is_valid(out.get())) {
        if (!from_jv(out.get(), outputs.emplace_back(), 0)) return too_deep();
        continue;
      }
      // jq 1.6: error(null) carries no message and ends the outputs like empty.
      if (!jv_invalid_has_msg(out.copy())) return outputs;
      return error_from(jv_owner(jv_invalid_get_msg(out.release())));
    }
  } catch (const std::bad_alloc&) {
    return baley::error{jq_out_of_memory_code, "jq: out of memory", {}};
  } catch (const std::exception& e) {
    return baley::error{jq_error_code, std::string("jq: ") + e.what(), {}};
  }
}

result<boost::json::value> jq_program::run_single(const boost::json::value& input) const {
  auto outputs = run(input);
  if (!outputs) return std::move(outputs).error();
  return jq_single_output(std::move(outputs).value());
}

boost::json::value jq_single_output(std::vector<boost::json::value> outputs) {
  if (outputs.empty()) return nullptr;
  if (outputs.size() == 1) return std::move(outputs.front());
  return json::array(std::make_move_iterator(outputs.begin()),
                     std::make_move_iterator(outputs.end()));
}

// ---- jq_cache --------------------------------------------------------------

result<std::shared_ptr<const jq_program>> jq_cache::get(std::string_view code) {
  std::string key(code);
  {
    std::lock_guard lock(mutex_);
    if (auto it = programs_.find(key); it != programs_.end()) return it->second;
  }
  // Compiled outside the lock: a slow compile does not hold up other texts.
  auto compiled = jq_program::compile(key);
  ++compiles_;
  if (!compiled) return std::move(compiled).error();
  std::lock_guard lock(mutex_);
  auto [it, inserted] = programs_.emplace(std::move(key), std::move(*compiled));
  return it->second;
}

std::size_t jq_cache::size() const {
  std::lock_guard lock(mutex_);
  return programs_.size();
}

} // namespace baley::runtime
