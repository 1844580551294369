// Encoding and strict decoding of stored records; event_bytes() is the cheap
// view used on read paths, decode_record() the checked one used by audit.
#include "storage/record.hpp"

#include "runtime/json_text.hpp"

#include "storage/event_log.hpp"
#include "storage/hash_chain.hpp"

#include <boost/json/parse.hpp>

#include <charconv>

namespace baley::storage {

namespace {

constexpr std::string_view index_field = "{\"index\":";
constexpr std::string_view prev_field = ",\"prev\":\"";
constexpr std::string_view hash_field = "\",\"hash\":\"";
constexpr std::string_view event_field = "\",\"event\":";
constexpr std::size_t max_index_digits = 20;

error corrupt(std::string reason) {
  return error{"corrupt_record", std::move(reason), {}};
}

bool is_lower_hex(std::string_view text) {
  for (char c : text)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
      return false;
  return true;
}

std::size_t digit_count(stream_index at) {
  auto index = at.value();
  std::size_t count = 1;
  while (index >= 10) {
    index /= 10;
    ++count;
  }
  return count;
}

bool consume(std::string_view& rest, std::string_view literal) {
  if (rest.substr(0, literal.size()) != literal)
    return false;
  rest.remove_prefix(literal.size());
  return true;
}

} // namespace

std::size_t record_size(stream_index index, std::size_t event_size) {
  return index_field.size() + digit_count(index) + prev_field.size()
         + hash_hex_size + hash_field.size() + hash_hex_size
         + event_field.size() + event_size + 1;
}

void encode_record(std::string& out, stream_index index, std::string_view prev,
                   std::string_view hash, std::string_view event) {
  char digits[max_index_digits];
  auto [end, ec] = std::to_chars(digits, digits + max_index_digits, index.value());
  out.append(index_field);
  out.append(digits, end);
  out.append(prev_field);
  out.append(prev);
  out.append(hash_field);
  out.append(hash);
  out.append(event_field);
  out.append(event);
  out.push_back('}');
}

std::string encode_record(stream_index index, std::string_view prev,
                          std::string_view hash, std::string_view event) {
  std::string out;
  out.reserve(record_size(index, event.size()));
  encode_record(out, index, prev, hash, event);
  return out;
}

result<record_view> decode_record(std::string_view record) {
  record_view view;
  auto rest = record;
  if (!consume(rest, index_field))
    return corrupt("record does not start with {\"index\":");
  auto digits_end = rest.find_first_not_of("0123456789");
  if (digits_end == 0 || digits_end == std::string_view::npos)
    return corrupt("index is not a number");
  if (digits_end > 1 && rest[0] == '0')
    return corrupt("index has a leading zero");
  std::uint64_t index = 0;
  auto [ptr, ec] = std::from_chars(rest.data(), rest.data() + digits_end, index);
  if (ec != std::errc{})
    return corrupt("index is out of range");
  view.index = stream_index{index};
  rest.remove_prefix(digits_end);
  if (!consume(rest, prev_field))
    return corrupt("\"prev\" does not follow \"index\"");
  view.prev = rest.substr(0, hash_hex_size);
  if (view.prev.size() != hash_hex_size || !is_lower_hex(view.prev))
    return corrupt("prev is not 64 lowercase hex digits");
  rest.remove_prefix(hash_hex_size);
  if (!consume(rest, hash_field))
    return corrupt("\"hash\" does not follow \"prev\"");
  view.hash = rest.substr(0, hash_hex_size);
  if (view.hash.size() != hash_hex_size || !is_lower_hex(view.hash))
    return corrupt("hash is not 64 lowercase hex digits");
  rest.remove_prefix(hash_hex_size);
  if (!consume(rest, event_field))
    return corrupt("\"event\" does not follow \"hash\"");
  if (rest.empty() || rest.back() != '}')
    return corrupt("record does not end with }");
  view.event = rest.substr(0, rest.size() - 1);
  if (auto checked = check_event_json(view.event); !checked)
    return corrupt("event is not a JSON object: " + checked.error().message);
  return view;
}

status check_event_json(std::string_view event) {
  boost::system::error_code ec;
  auto value = runtime::parse_stored_json(event, ec);
  if (ec)
    return error{"invalid_event", ec.message(), {}};
  if (!value.is_object())
    return error{"invalid_event", "event is not a JSON object", {}};
  return ok;
}

status check_event_shape(std::string_view event) {
  if (event.size() < 2 || event.front() != '{' || event.back() != '}')
    return error{"invalid_event", "event is not a JSON object", {}};
  return ok;
}

std::string_view event_bytes(std::string_view record) {
  auto start = record.find(event_field);
  if (start == std::string_view::npos || record.empty() || record.back() != '}')
    return {};
  start += event_field.size();
  return record.substr(start, record.size() - 1 - start);
}

} // namespace baley::storage
