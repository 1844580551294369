// Replay, audit and the event stream of an execution; see
// execution_log_routes.hpp.
#include "http/execution_log_routes.hpp"

#include "http/execution_routes.hpp"
#include "http/replies.hpp"
#include "http/sse_feed.hpp"
#include "runtime/numbers.hpp"
#include "runtime/stream_names.hpp"

#include <boost/json.hpp>

#include <limits>

namespace baley::http {
namespace json = boost::json;

namespace {

constexpr auto max_index = std::numeric_limits<std::uint64_t>::max() - 1;

// Last-Event-ID (wins) or ?lastEventIndex=: the client has everything up to
// N, so the stream starts at N + 1; -1 (or nothing) means from the start.
result<stream_index> stream_start(const http_request& request) {
  std::optional<std::string> text;
  std::string_view source;
  if (auto header = request.header("last-event-id"); !header.empty()) {
    text = std::string(header);
    source = "Last-Event-ID";
  } else if (auto param = request.query_param("lastEventIndex")) {
    text = *param;
    source = "lastEventIndex";
  }
  if (!text || *text == "-1")
    return stream_index{0};
  auto last = runtime::parse_integer<std::uint64_t>(*text, 0, max_index);
  if (!last)
    return error{"invalid_last_event_id",
                 std::string(source) + " must be an event index (an integer from -1)", {}};
  return stream_index{*last + 1};
}

// Last-Event-ID of the workspace stream: the global position the client has;
// none: from now on.
result<std::optional<global_position>> workspace_stream_start(const http_request& request) {
  auto header = request.header("last-event-id");
  if (header.empty())
    return std::optional<global_position>();
  auto last = runtime::parse_integer<std::uint64_t>(header, 0, max_index);
  if (!last)
    return error{"invalid_last_event_id",
                 "Last-Event-ID must be the id of a message of this stream (an integer)", {}};
  return std::optional(global_position{*last});
}

} // namespace

void execution_log_routes::replay(const api_call_ptr& call, const authenticated& who) {
  stream_index from{0};
  if (auto text = call->request.query_param("fromIndex")) {
    auto n = runtime::parse_integer<std::uint64_t>(*text, 0, max_index);
    if (!n)
      return reply_error(call, 400, "invalid_query", "fromIndex must be a non-negative integer");
    from = stream_index{*n};
  }
  p_.async.on_reader([&log = p_.engine.log(), call, ws = who.workspace_id, from] {
    const auto& id = call->param(0);
    auto summary = read_summary(log, ws, id);
    if (!summary)
      return reply_not_found(call, "execution " + id);
    auto events = log.read_stream(names::execution_stream(id), from);
    if (!events)
      return reply_error(call, events.error());
    // The stored records, spliced as they are: the same objects as the SSE
    // data lines, {"index","prev","hash","event"}.
    std::string body = "{\"events\":[";
    for (std::size_t i = 0; i < events->size(); ++i) {
      if (i)
        body += ',';
      body += (*events)[i].record;
    }
    body += "],\"status\":\"" + std::string(runtime::status_name(summary->status)) + "\"}";
    http_response r;
    r.body = std::move(body);
    reply(call, std::move(r));
  });
}

void execution_log_routes::audit(const api_call_ptr& call, const authenticated& who) {
  p_.async.on_reader([&log = p_.engine.log(), call, ws = who.workspace_id] {
    const auto& id = call->param(0);
    if (!read_summary(log, ws, id))
      return reply_not_found(call, "execution " + id);
    auto stream = names::execution_stream(id);
    auto report = log.audit(std::string_view(stream));
    if (!report)
      return reply_error(call, report.error());
    json::object body{{"valid", report->valid}, {"events", report->events}};
    if (report->valid) {
      body["head"] = report->head;
    } else {
      body["firstBadIndex"] = report->bad_index.value_or(stream_index{0}).value();
      body["reason"] = report->reason;
    }
    reply_json(call, 200, body);
  });
}

void execution_log_routes::stream(const api_call_ptr& call, const authenticated& who) {
  auto from = stream_start(call->request);
  if (!from)
    return reply_error(call, from.error());
  sse_feed_setup setup{names::execution_stream(call->param(0)), *from, call->exchange,
                       &p_.engine, &p_.counters};
  p_.async.on_reader([&system = p_.system, call, ws = who.workspace_id,
                      setup = std::move(setup)]() mutable {
    if (!read_summary(setup.engine->log(), ws, call->param(0)))
      return reply_not_found(call, "execution " + call->param(0));
    spawn_sse_feed(system, std::move(setup));
  });
}

void execution_log_routes::workspace_stream(const api_call_ptr& call, const authenticated& who) {
  auto after = workspace_stream_start(call->request);
  if (!after)
    return reply_error(call, after.error());
  auto kind = call->request.query_param("kind");
  if (kind && *kind != "test" && *kind != "flow")
    return reply_error(call, 400, "invalid_query", "kind must be flow or test");
  spawn_workspace_feed(p_.system, {.workspace_id = who.workspace_id,
                                   .test_runs = kind == "test",
                                   .after = *after,
                                   .exchange = call->exchange,
                                   .relay = p_.relay,
                                   .engine = &p_.engine,
                                   .counters = &p_.counters});
}

} // namespace baley::http
