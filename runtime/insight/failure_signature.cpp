// failure_signature: one left-to-right pass over the message.
#include "runtime/insight/failure_signature.hpp"

namespace baley::runtime {
namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_hex(char c) {
  return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}
bool is_word(char c) {
  return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

// 8-4-4-4-12 hex digits at `at`.
bool uuid_at(std::string_view text, std::size_t at) {
  constexpr std::size_t groups[] = {8, 4, 4, 4, 12};
  auto i = at;
  for (std::size_t g = 0; g < 5; ++g) {
    for (std::size_t n = 0; n < groups[g]; ++n, ++i)
      if (i >= text.size() || !is_hex(text[i]))
        return false;
    if (g < 4) {
      if (i >= text.size() || text[i] != '-')
        return false;
      ++i;
    }
  }
  return i == text.size() || !is_word(text[i]);
}

} // namespace

std::string failure_signature(std::string_view message) {
  std::string out;
  out.reserve(message.size());
  std::size_t i = 0;
  while (i < message.size()) {
    char c = message[i];
    bool word_start = i == 0 || !is_word(message[i - 1]);
    // A quote opens quoted text; an apostrophe inside a word ("can't") does not.
    if (c == '"' || (c == '\'' && word_start)) {
      auto close = message.find(c, i + 1);
      if (close != std::string_view::npos) {
        out += "<s>";
        i = close + 1;
        continue;
      }
    }
    if (word_start && is_hex(c) && uuid_at(message, i)) {
      out += "<id>";
      i += 36;
      continue;
    }
    if (word_start && is_digit(c)) {
      auto j = i;
      while (j < message.size() && is_digit(message[j]))
        ++j;
      if (j + 1 < message.size() && message[j] == '.' && is_digit(message[j + 1])) {
        j += 1;
        while (j < message.size() && is_digit(message[j]))
          ++j;
      }
      if (j == message.size() || !is_word(message[j])) {
        out += "<n>";
        i = j;
        continue;
      }
      // digits that start a word ("3rd", "4o"): keep the word as it is
      while (j < message.size() && is_word(message[j]))
        ++j;
      out.append(message.substr(i, j - i));
      i = j;
      continue;
    }
    if (is_word(c)) {
      auto j = i;
      while (j < message.size() && is_word(message[j]))
        ++j;
      out.append(message.substr(i, j - i));
      i = j;
      continue;
    }
    out.push_back(c);
    ++i;
  }
  return out;
}

} // namespace baley::runtime
