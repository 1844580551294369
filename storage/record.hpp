// The stored record of one event, byte for byte what an SSE client receives:
//   {"index":N,"prev":"<64 hex>","hash":"<64 hex>","event":<event JSON>}
#pragma once
//
// The event JSON is embedded unchanged (serialized once at append, never
// re-encoded). Field order and spelling are fixed, so event_bytes() finds the
// event without parsing and decode_record() rejects anything else.

#include "runtime/result.hpp"
#include "runtime/types.hpp"

#include <string>
#include <string_view>

namespace baley::storage {

struct record_view {
  stream_index index{};
  std::string_view prev;   // 64 lowercase hex
  std::string_view hash;   // 64 lowercase hex
  std::string_view event;  // the event JSON
};

// Exact size of the encoded record, for reserve().
std::size_t record_size(stream_index index, std::size_t event_size);

// Appends the record to `out`; prev and hash must be 64 hex characters.
void encode_record(std::string& out, stream_index index, std::string_view prev,
                   std::string_view hash, std::string_view event);
std::string encode_record(stream_index index, std::string_view prev,
                          std::string_view hash, std::string_view event);

// Splits a record into its fields; "corrupt_record" with the reason when the
// layout is not exactly the one above or the event is not a JSON object.
result<record_view> decode_record(std::string_view record);

// "invalid_event" unless `event` is one JSON object (RFC 8259, strict).
status check_event_json(std::string_view event);

// The append path's check, without a second parse of bytes the caller just
// serialized: the event is delimited like one JSON object ({ ... }). Audit
// still parses every event fully (check_event_json).
status check_event_shape(std::string_view event);

} // namespace baley::storage
