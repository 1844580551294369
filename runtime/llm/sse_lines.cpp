// Incremental text/event-stream parser: line splitting that survives any
// split of the bytes, then the WHATWG field rules line by line.
#include "runtime/llm/sse_lines.hpp"

namespace baley::runtime {
namespace {

constexpr std::string_view utf8_bom = "\xEF\xBB\xBF";

} // namespace

std::vector<sse_message> sse_lines::feed(std::string_view bytes) {
  std::vector<sse_message> out;
  skip_bom(bytes);
  while (!bytes.empty()) {
    if (after_cr_) {  // a \r ended the last line: a \n right after is part of it
      after_cr_ = false;
      if (bytes.front() == '\n') {
        bytes.remove_prefix(1);
        continue;
      }
    }
    const auto end = bytes.find_first_of("\r\n");
    if (end == std::string_view::npos) {
      line_.append(bytes);
      break;
    }
    line_.append(bytes.substr(0, end));
    after_cr_ = bytes[end] == '\r';
    bytes.remove_prefix(end + 1);
    take_line(line_, out);
    line_.clear();
  }
  return out;
}

// The spec ignores one U+FEFF at the start of the stream; its three bytes
// may themselves arrive split.
void sse_lines::skip_bom(std::string_view& bytes) {
  while (!bom_checked_ && !bytes.empty()) {
    if (bytes.front() != utf8_bom[bom_seen_]) {
      line_.append(utf8_bom.substr(0, bom_seen_));  // not a BOM after all
      bom_checked_ = true;
      return;
    }
    bytes.remove_prefix(1);
    bom_checked_ = ++bom_seen_ == utf8_bom.size();
  }
}

void sse_lines::take_line(std::string_view line, std::vector<sse_message>& out) {
  if (line.empty()) {
    dispatch(out);
    return;
  }
  if (line.front() == ':')  // a comment (servers send them as keep-alives)
    return;
  const auto colon = line.find(':');
  if (colon == std::string_view::npos) {  // a field name alone: empty value
    take_field(line, {});
    return;
  }
  auto value = line.substr(colon + 1);
  if (!value.empty() && value.front() == ' ')
    value.remove_prefix(1);
  take_field(line.substr(0, colon), value);
}

void sse_lines::take_field(std::string_view name, std::string_view value) {
  if (name == "event") {
    event_.assign(value);
  } else if (name == "data") {
    data_.append(value);
    data_.push_back('\n');
  } else if (name == "id") {
    if (value.find('\0') == std::string_view::npos)
      last_id_.assign(value);
  }
  // "retry" sets a reconnection time, which a decoder of one response body
  // has no use for; other names are ignored by the spec.
}

void sse_lines::dispatch(std::vector<sse_message>& out) {
  if (data_.empty()) {
    event_.clear();
    return;
  }
  data_.pop_back();  // the \n after the last data line
  out.push_back({std::move(event_), std::move(data_), last_id_});
  event_.clear();
  data_.clear();
}

} // namespace baley::runtime
