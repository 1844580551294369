// Incremental text/event-stream parser (WHATWG HTML, "Server-sent events",
// event stream interpretation): bytes in, dispatched messages out. Lines end
// in \n, \r\n or \r, a \r\n split between two feeds included, so any split
// of the bytes between feed() calls gives the same messages.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace baley::runtime {

// One dispatched message. `event` is empty when no `event:` field came (the
// WHATWG default type "message"); `id` is the last event ID seen so far in
// the stream, as the spec keeps it across messages.
struct sse_message {
  std::string event;
  std::string data;  // `data:` lines joined with \n, no trailing \n
  std::string id;
};

class sse_lines {
public:
  // The messages completed by `bytes` (a blank line dispatches one with data;
  // one without data only resets the event type). Comments (':') and
  // unknown fields are ignored, as is one leading BOM of the stream. A
  // message not closed by a blank line when the body ends is dropped, as
  // the spec says: there is no finish().
  std::vector<sse_message> feed(std::string_view bytes);

  // Bytes held for the message not yet dispatched (its lines so far and the
  // current line): a reader bounds this against a server that never ends one.
  std::size_t pending_bytes() const { return line_.size() + data_.size() + event_.size(); }

private:
  void take_line(std::string_view line, std::vector<sse_message>& out);
  void take_field(std::string_view name, std::string_view value);
  void dispatch(std::vector<sse_message>& out);
  void skip_bom(std::string_view& bytes);

  std::string line_;          // the current line's bytes so far
  bool after_cr_ = false;     // the last byte seen ended a line with \r
  bool bom_checked_ = false;  // past the stream's first bytes (BOM or not)
  std::size_t bom_seen_ = 0;  // BOM bytes matched so far at the start
  std::string event_;         // the spec's event type buffer
  std::string data_;          // the spec's data buffer: each line + \n
  std::string last_id_;
};

} // namespace baley::runtime
