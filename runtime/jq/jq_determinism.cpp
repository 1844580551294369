// The determinism check of jq programs; see jq_determinism.hpp.
#include "runtime/jq/jq_determinism.hpp"

#include "runtime/jq/jq_program.hpp"

#include <array>
#include <string>
#include <vector>

namespace baley::runtime {
namespace {

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


} // namespace

std::optional<baley::error> check_deterministic(std::string_view code) {
  auto use = determinism_scan(code).run();
  if (!use) return std::nullopt;
  return baley::error{invalid_jq_code, "jq: " + use->name +
                    " is not allowed (programs must be deterministic) at line " +
                    std::to_string(line_of(code, use->offset)), {}};
}

} // namespace baley::runtime
