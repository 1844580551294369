// jq programs for function blocks, router conditions, loop `over` and
// inputMapping: determinism check, libjq 1.6 compile/run, jv <-> JSON values.
//
// libjq reference counting: a jv passed to a jv_* or jq_* function is consumed
// unless the function only reads it (jv_get_kind, jv_number_value,
// jv_string_value, jv_object_iter*). jv_owner holds exactly one reference.
// jv refcounts are not atomic: every jv made from a jq_state stays on the
// thread that leased that state and is freed before the state is given back.
#include "runtime/jq_program.hpp"

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

class jv_owner {
public:
  explicit jv_owner(jv value) noexcept : value_(value) {}
  ~jv_owner() { jv_free(value_); }
  jv_owner(const jv_owner&) = delete;
  jv_owner& operator=(const jv_owner&) = delete;

  jv get() const noexcept { return value_; }  // borrowed: do not free
  jv copy() const noexcept { return jv_copy(value_); }
  jv release() noexcept {
    jv value = value_;
    value_ = jv_invalid();
    return value;
  }

private:
  jv value_;
};

// ---- determinism: a token scan over jq 1.6's lexical grammar ----------------

constexpr std::array<std::string_view, 19> forbidden_names = {
    "now", "input", "inputs", "_input", "env", "input_filename",
    "input_line_number", "debug", "stderr", "halt", "halt_error",
    "get_search_list", "get_prog_origin", "get_jq_origin", "modulemeta",
    "localtime", "strflocaltime", "import", "include"};
constexpr std::array<std::string_view, 2> forbidden_variables = {"ENV", "__loc__"};

template <std::size_t N>
bool contains(const std::array<std::string_view, N>& names, std::string_view name) {
  for (auto n : names)
    if (n == name) return true;
  return false;
}

bool ident_start(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}
bool ident_char(char c) { return ident_start(c) || (c >= '0' && c <= '9'); }
bool digit(char c) { return c >= '0' && c <= '9'; }

struct forbidden_use {
  std::string name;  // as written: "now", "$ENV"
  std::size_t offset;
};

// Finds the first use of a refused builtin. Strings (with their `\(...)`
// interpolations), comments, `.field`s, `$variables` other than $ENV and
// $__loc__, and object keys (`{now: 1}`, `{now}`) are not uses.
class determinism_scan {
public:
  explicit determinism_scan(std::string_view code) : code_(code) {}

  std::optional<forbidden_use> run() {
    while (pos_ < code_.size()) {
      auto found = in_string_ ? string_step() : code_step();
      if (found) return found;
    }
    return std::nullopt;
  }

private:
  enum class previous { open_brace, comma, other };

  char at(std::size_t i) const { return i < code_.size() ? code_[i] : '\0'; }

  std::optional<forbidden_use> string_step() {
    const char c = code_[pos_];
    if (c == '"') {
      in_string_ = false;
      previous_ = previous::other;
      ++pos_;
    } else if (c == '\\' && at(pos_ + 1) == '(') {
      nest_.push_back('i');  // interpolation: code until the matching ')'
      in_string_ = false;
      previous_ = previous::other;
      pos_ += 2;
    } else {
      pos_ += c == '\\' ? 2 : 1;
    }
    return std::nullopt;
  }

  std::optional<forbidden_use> code_step() {
    const char c = code_[pos_];
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') { ++pos_; return std::nullopt; }
    if (c == '#') { skip_comment(); return std::nullopt; }
    if (ident_start(c)) return word();
    if (c == '$') return variable();
    previous_ = previous::other;
    if (c == '"') {
      in_string_ = true;
      ++pos_;
    } else if (c == '(' || c == '[' || c == '{') {
      nest_.push_back(c);
      previous_ = c == '{' ? previous::open_brace : previous::other;
      ++pos_;
    } else if (c == ')' || c == ']' || c == '}') {
      close();
      ++pos_;
    } else if (c == ',') {
      previous_ = previous::comma;
      ++pos_;
    } else if (c == '.' && at(pos_ + 1) == '.') {
      pos_ += 2;
    } else if (c == '.' && ident_start(at(pos_ + 1))) {
      skip_identifier(pos_ + 1);  // .field
    } else if (digit(c) || (c == '.' && digit(at(pos_ + 1)))) {
      skip_number();
    } else if (c == '@') {
      ++pos_;
      while (ident_char(at(pos_))) ++pos_;
    } else {
      ++pos_;
    }
    return std::nullopt;
  }

  void skip_comment() {
    while (pos_ < code_.size() && code_[pos_] != '\n' && code_[pos_] != '\r') ++pos_;
  }

  void skip_space() {
    for (;;) {
      const char c = at(pos_);
      if (c == ' ' || c == '\t' || c == '\n' || c == '\r') ++pos_;
      else if (c == '#') skip_comment();
      else return;
    }
  }

  // ([a-zA-Z_][a-zA-Z_0-9]*::)*[a-zA-Z_][a-zA-Z_0-9]*, as jq's IDENT.
  void skip_identifier(std::size_t from) {
    pos_ = from;
    while (ident_char(at(pos_))) ++pos_;
    while (at(pos_) == ':' && at(pos_ + 1) == ':' && ident_start(at(pos_ + 2))) {
      pos_ += 2;
      while (ident_char(at(pos_))) ++pos_;
    }
  }

  // [0-9.]+([eE][+-]?[0-9]+)?, as jq's number literal: "1.now" is 1. then now.
  void skip_number() {
    while (digit(at(pos_)) || at(pos_) == '.') ++pos_;
    if (at(pos_) == 'e' || at(pos_) == 'E') {
      std::size_t p = pos_ + 1;
      if (at(p) == '+' || at(p) == '-') ++p;
      if (digit(at(p))) {
        while (digit(at(p))) ++p;
        pos_ = p;
      }
    }
  }

  void close() {
    while (!nest_.empty() && nest_.back() == 'f') nest_.pop_back();  // unclosed if
    if (nest_.empty()) return;
    const char open = nest_.back();
    nest_.pop_back();
    if (open == 'i') in_string_ = true;
  }

  // An identifier right after `{` or `,` of an object, followed by `:`, `,`
  // or `}`, is a key (`{now: 1}`) or a field shorthand (`{now}` = .now).
  std::optional<forbidden_use> word() {
    const std::size_t start = pos_;
    const bool key_position = !nest_.empty() && nest_.back() == '{' &&
                              previous_ != previous::other;
    skip_identifier(pos_);
    const std::string_view name = code_.substr(start, pos_ - start);
    previous_ = previous::other;
    if (key_position) {
      const std::size_t after = pos_;
      skip_space();
      const char next = at(pos_);
      pos_ = after;
      if (next == ':' || next == ',' || next == '}') return std::nullopt;
    }
    if (name == "if") nest_.push_back('f');  // if ... end may hold bare commas
    if (name == "end" && !nest_.empty() && nest_.back() == 'f') nest_.pop_back();
    if (contains(forbidden_names, name)) return forbidden_use{std::string(name), start};
    return std::nullopt;
  }

  // `$` IDENT or `$` __loc__; jq 1.6 allows space and comments after the `$`.
  std::optional<forbidden_use> variable() {
    const std::size_t start = pos_;
    ++pos_;
    skip_space();
    const std::size_t name_start = pos_;
    if (ident_start(at(pos_))) skip_identifier(pos_);
    previous_ = previous::other;
    const std::string_view name = code_.substr(name_start, pos_ - name_start);
    if (contains(forbidden_variables, name)) return forbidden_use{"$" + std::string(name), start};
    return std::nullopt;
  }

  std::string_view code_;
  std::size_t pos_ = 0;
  bool in_string_ = false;
  previous previous_ = previous::other;
  std::vector<char> nest_;  // ( [ { , 'i' = string interpolation, 'f' = if
};

std::size_t line_of(std::string_view code, std::size_t offset) {
  std::size_t line = 1;
  for (std::size_t i = 0; i < offset && i < code.size(); ++i)
    if (code[i] == '\n') ++line;
  return line;
}

baley::error invalid_jq(std::string message) {
  return {invalid_jq_code, std::move(message), {}};
}

std::optional<baley::error> check_deterministic(std::string_view code) {
  auto use = determinism_scan(code).run();
  if (!use) return std::nullopt;
  return invalid_jq("jq: " + use->name +
                    " is not allowed (programs must be deterministic) at line " +
                    std::to_string(line_of(code, use->offset)));
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

// A compiled state, or nullptr with `error` set to one clean line.
jq_state* compile_state(const std::string& code, std::string& error) {
  initialize_regex_once();
  jq_state* state = jq_init();
  if (state == nullptr) {
    error = "jq: out of memory";
    return nullptr;
  }
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

// ---- values --------------------------------------------------------------

jv to_jv(const json::value& v) {
  switch (v.kind()) {
    case json::kind::null: return jv_null();
    case json::kind::bool_: return jv_bool(v.get_bool());
    case json::kind::int64: return jv_number(static_cast<double>(v.get_int64()));
    case json::kind::uint64: return jv_number(static_cast<double>(v.get_uint64()));
    case json::kind::double_: return jv_number(v.get_double());
    case json::kind::string: {
      const auto& s = v.get_string();
      if (s.size() > INT_MAX) return jv_invalid_with_msg(jv_string("string too long for jq"));
      return jv_string_sized(s.data(), static_cast<int>(s.size()));
    }
    case json::kind::array: {
      const auto& a = v.get_array();
      jv out = jv_array_sized(static_cast<int>(a.size()));
      for (const auto& element : a) {
        jv item = to_jv(element);
        if (!jv_is_valid(item)) { jv_free(out); return item; }
        out = jv_array_append(out, item);
      }
      return out;
    }
    case json::kind::object: {
      jv out = jv_object();
      for (const auto& [key, value] : v.get_object()) {
        if (key.size() > INT_MAX) { jv_free(out); return jv_invalid_with_msg(jv_string("key too long for jq")); }
        jv item = to_jv(value);
        if (!jv_is_valid(item)) { jv_free(out); return item; }
        out = jv_object_set(out, jv_string_sized(key.data(), static_cast<int>(key.size())), item);
      }
      return out;
    }
  }
  return jv_null();
}

json::value number_from_jv(double d) {
  if (std::isnan(d)) return nullptr;
  if (std::isinf(d)) return d > 0 ? DBL_MAX : -DBL_MAX;
  if (std::trunc(d) == d && d >= -9223372036854775808.0 && d < 9223372036854775808.0)
    return static_cast<std::int64_t>(d);
  return d;
}

// Converts a borrowed jv; false when it is nested deeper than the limit.
bool from_jv(jv x, json::value& out, std::size_t depth) {
  if (depth > jq_max_output_depth) return false;
  switch (jv_get_kind(x)) {
    case JV_KIND_NULL: out = nullptr; return true;
    case JV_KIND_TRUE: out = true; return true;
    case JV_KIND_FALSE: out = false; return true;
    case JV_KIND_NUMBER: out = number_from_jv(jv_number_value(x)); return true;
    case JV_KIND_STRING:
      out = json::string_view(jv_string_value(x), jv_string_length_bytes(jv_copy(x)));
      return true;
    case JV_KIND_ARRAY: {
      auto& array = out.emplace_array();
      const int n = jv_array_length(jv_copy(x));
      array.reserve(static_cast<std::size_t>(n));
      for (int i = 0; i < n; ++i) {
        jv_owner item(jv_array_get(jv_copy(x), i));
        if (!from_jv(item.get(), array.emplace_back(nullptr), depth + 1)) return false;
      }
      return true;
    }
    case JV_KIND_OBJECT: {
      auto& object = out.emplace_object();
      for (int it = jv_object_iter(x); jv_object_iter_valid(x, it); it = jv_object_iter_next(x, it)) {
        jv_owner key(jv_object_iter_key(x, it));
        jv_owner value(jv_object_iter_value(x, it));
        json::string_view name(jv_string_value(key.get()), jv_string_length_bytes(key.copy()));
        if (!from_jv(value.get(), object[name], depth + 1)) return false;
      }
      return true;
    }
    case JV_KIND_INVALID: break;
  }
  out = nullptr;
  return true;
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
  } catch (const std::exception& e) {
    return baley::error{jq_error_code, std::string("jq: ") + e.what(), {}};
  }
}

result<boost::json::value> jq_program::run_single(const boost::json::value& input) const {
  auto outputs = run(input);
  if (!outputs) return std::move(outputs).error();
  auto& values = *outputs;
  if (values.empty()) return boost::json::value(nullptr);
  if (values.size() == 1) return std::move(values.front());
  return boost::json::value(boost::json::array(values.begin(), values.end()));
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
