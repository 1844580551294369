// Reading SSE streams in tests; see sse_reader.hpp.
#include "sse_reader.hpp"

namespace baley::testing {
namespace json = boost::json;
using namespace std::chrono_literals;
using clock_type = std::chrono::steady_clock;

namespace {
std::chrono::milliseconds left_until(clock_type::time_point deadline) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - clock_type::now());
  return left.count() > 0 ? left : 0ms;
}
} // namespace

stream_result read_stream(int port, const std::string& path, const header_list& headers,
                          std::optional<std::size_t> max_messages,
                          std::chrono::milliseconds timeout) {
  auto deadline = clock_type::now() + timeout;
  stream_result r;
  sse_stream s(port, path, headers);
  r.status = s.status();
  if (r.status != 200) {
    r.body = s.error_body(2s);
    return r;
  }
  auto type = s.headers().get("Content-Type").value_or("");
  if (type.rfind("text/event-stream", 0) != 0)
    r.problems.push_back("Content-Type: " + type);
  bool first = true;
  for (;;) {
    // After [DONE] the response must end promptly.
    auto wait = r.done ? std::min(left_until(deadline), std::chrono::milliseconds(3000))
                       : left_until(deadline);
    auto item = s.next(wait);
    if (!item)
      break;
    bool was_first = first;
    first = false;
    if (item->what == sse_item::kind::comment)
      continue;
    if (item->what == sse_item::kind::retry) {
      if (was_first)
        r.first_retry = item->retry;
      else
        r.problems.push_back("a retry: field after the first item");
      continue;
    }
    if (was_first)
      r.problems.push_back("the first item is not retry:");
    if (!item->event.empty())
      r.problems.push_back("an event: field (" + item->event + ")");
    if (r.done) {
      r.problems.push_back("a message after [DONE]: " + item->data);
      continue;
    }
    if (item->data == "[DONE]") {
      r.done = true;
      continue;
    }
    boost::system::error_code ec;
    auto data = parse_deep(item->data, ec);
    if (ec || !data.is_object() || !data.as_object().contains("index") ||
        !data.as_object().at("index").is_number() || !data.as_object().contains("event") ||
        !data.as_object().at("event").is_object()) {
      r.problems.push_back("data is not {index, event}: " + item->data.substr(0, 200));
      continue;
    }
    auto index = data.at("index").to_number<std::uint64_t>();
    if (!item->has_id)
      r.problems.push_back("message " + std::to_string(index) + " has no id:");
    else if (item->id != std::to_string(index))
      r.problems.push_back("id: " + item->id + " for index " + std::to_string(index));
    r.indexes.push_back(index);
    r.events.push_back(data.at("event"));
    if (max_messages && r.indexes.size() >= *max_messages) {
      s.close();
      break;
    }
  }
  r.closed = s.closed();
  r.body = s.body();
  if (r.done && !r.closed)
    r.problems.push_back("the response did not end after [DONE]");
  return r;
}

resume_result read_with_reconnects(int port, const std::string& path,
                                   const header_list& headers, int messages_per_connection,
                                   std::chrono::milliseconds timeout) {
  auto deadline = clock_type::now() + timeout;
  resume_result out;
  std::optional<std::uint64_t> last;
  while (!out.done && clock_type::now() < deadline && out.connections < 10000) {
    header_list h = headers;
    if (last)
      h.emplace_back("Last-Event-ID", std::to_string(*last));
    ++out.connections;
    auto r = read_stream(port, path, h, static_cast<std::size_t>(messages_per_connection),
                         left_until(deadline));
    auto where = "connection " + std::to_string(out.connections) + ": ";
    if (r.status != 200) {
      out.problems.push_back(where + "status " + std::to_string(r.status) + " " + r.body);
      break;
    }
    if (r.first_retry != 1000)
      out.problems.push_back(where + "does not start with retry: 1000");
    for (auto& p : r.problems)
      out.problems.push_back(where + p);
    for (auto i : r.indexes)
      out.indexes.push_back(i);
    if (!r.indexes.empty())
      last = r.indexes.back();
    out.done = r.done;
    if (r.indexes.empty() && !r.done && !r.closed) {
      out.problems.push_back(where + "nothing arrived before the deadline");
      break;
    }
  }
  return out;
}

} // namespace baley::testing
