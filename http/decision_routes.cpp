// Decisions, feedback and feedback categories; see decision_routes.hpp.
#include "http/decision_routes.hpp"

#include "http/paging.hpp"
#include "http/time_range.hpp"
#include "runtime/insight/decision.hpp"
#include "runtime/json_text.hpp"
#include "runtime/stream_names.hpp"
#include "storage/execution_projections.hpp"
#include "storage/projections.hpp"

#include <boost/json.hpp>

#include <limits>

namespace baley::http {
namespace json = boost::json;

namespace {

// A stored decision of `workspace_id`, or nothing (absent, another
// workspace's, unreadable: all 404 to the caller).
result<std::optional<runtime::decision_record>> load_decision(const storage::event_log& log,
                                                       const std::string& workspace_id,
                                                       const std::string& id) {
  auto stored = log.get_projection(storage::families::decisions, id);
  if (!stored)
    return std::move(stored).error();
  if (!*stored)
    return std::optional<runtime::decision_record>();
  auto d = runtime::parse_decision(**stored);
  if (!d || d->workspace_id != workspace_id)
    return std::optional<runtime::decision_record>();
  return std::optional<runtime::decision_record>(std::move(*d));
}

// The filters of GET /api/decisions.
struct decision_filter {
  std::optional<std::string> flow_id;
  std::optional<std::string> model;
  std::optional<std::string> feedback;
  time_range range;

  bool keeps(const runtime::decision_index& d) const {
    return (!flow_id || d.flow_id == *flow_id) && (!model || d.model == *model)
           && (!feedback || d.feedback == *feedback) && range.holds(d.at);
  }
};

result<decision_filter> filter_of(const http_request& request) {
  auto range = time_range_of(request, std::numeric_limits<unix_ms>::min(),
                             std::numeric_limits<unix_ms>::max());
  if (!range)
    return std::move(range).error();
  decision_filter filter{.flow_id = request.query_param("flowId"),
                         .model = request.query_param("model"),
                         .feedback = request.query_param("feedback"),
                         .range = *range};
  if (filter.feedback && *filter.feedback != "none" && *filter.feedback != "correct"
      && *filter.feedback != "incorrect")
    return error{"invalid_query", "feedback must be none, correct or incorrect", {}};
  return filter;
}

json::object category_json(const runtime::category_record& c) {
  return {{"name", c.name}, {"description", c.description}, {"builtIn", c.built_in}};
}

} // namespace

void decision_routes::list(const api_call_ptr& call, const authenticated& who) {
  auto filter = filter_of(call->request);
  if (!filter)
    return reply_error(call, filter.error());
  auto block_id = call->request.query_param("blockId");
  auto family = block_id ? storage::families::decisions_by_block
                         : storage::families::decisions_by_workspace;
  auto prefix = block_id ? storage::projections::block_decisions(who.workspace_id, *block_id)
                         : storage::projections::workspace_decisions(who.workspace_id);
  const auto& log = p_.engine.log();
  reply_index_page(p_.async, log, call, family, std::move(prefix),
                   [&log, filter = *filter](std::string_view id, std::string_view value)
                     -> std::optional<json::value> {
                     auto index = runtime::parse_decision_index(value);
                     if (!index || !filter.keeps(*index))
                       return std::nullopt;
                     auto row = log.get_projection(storage::families::decisions, id);
                     if (!row || !*row)
                       return std::nullopt;
                     boost::system::error_code ec;
                     auto item = runtime::parse_stored_json(**row, ec);
                     if (ec)
                       return std::nullopt;
                     return item;
                   });
}

void decision_routes::get(const api_call_ptr& call, const authenticated& who) {
  p_.async.on_reader([&log = p_.engine.log(), call, ws = who.workspace_id] {
    const auto& id = call->param(0);
    auto d = load_decision(log, ws, id);
    if (!d)
      return reply_error(call, d.error());
    if (!*d)
      return reply_not_found(call, "decision " + id);
    auto events = log.read_stream(names::feedback_stream(id), stream_index{0});
    if (!events)
      return reply_error(call, events.error());
    json::array history;
    for (const auto& e : *events)
      if (auto f = runtime::parse_feedback_event(storage::event_bytes(e.record)))
        history.push_back(runtime::feedback_json(*f));
    auto body = runtime::decision_json(**d);
    body["feedbackHistory"] = std::move(history);
    reply_json(call, 200, body);
  });
}

void decision_routes::feedback(const api_call_ptr& call, const authenticated& who) {
  if (!call->body)
    return reply_error(call, 400, "invalid_feedback", "the body must be a JSON object");
  auto given = runtime::read_feedback_body(*call->body);
  if (!given)
    return reply_error(call, given.error());
  if (!given->category.empty()
      && !p_.catalog.get().feedback_category(who.workspace_id, given->category))
    return reply_error(call, 400, "invalid_category",
                       "unknown category \"" + given->category
                         + "\"; GET /api/feedback/categories lists them");
  given->decision_id = call->param(0);
  given->workspace_id = who.workspace_id;
  save_feedback(call, who, std::move(*given), 5);
}

// Reads the decision and its feedback stream's head on a reader, then
// appends the event with the decision's new rows; a concurrent feedback
// (wrong_expected_index) starts over.
void decision_routes::save_feedback(const api_call_ptr& call, const authenticated& who,
                                    runtime::feedback given, int attempts_left) {
  struct read_state {
    result<std::optional<runtime::decision_record>> decision = std::optional<runtime::decision_record>();
    result<stream_index> next = stream_index{0};
  };
  const auto& log = p_.engine.log();
  auto id = given.decision_id;  // before `given` moves into the continuation
  p_.async.on_reader_then<read_state>(
    [&log, ws = who.workspace_id, id = std::move(id)] {
      return read_state{load_decision(log, ws, id),
                        log.next_index(names::feedback_stream(id))};
    },
    [this, call, who, given = std::move(given), attempts_left](read_state& read) mutable {
      if (!read.decision)
        return reply_error(call, read.decision.error());
      if (!*read.decision)
        return reply_not_found(call, "decision " + given.decision_id);
      if (!read.next)
        return reply_error(call, read.next.error());
      auto d = std::move(**read.decision);
      given.created_at = p_.engine.time()->now();
      d.feedback = given;
      storage::append_request request{.stream = names::feedback_stream(d.id),
                                      .expected_next = *read.next,
                                      .events = {runtime::serialize_feedback_event(given)}};
      storage::decision_puts(d, request.projections);
      p_.async.append_then(std::move(request), [this, call, who, given, attempts_left](
                                                 api_async::committed& r) mutable {
        if (!r && r.error().code == "wrong_expected_index" && attempts_left > 1)
          return save_feedback(call, who, std::move(given), attempts_left - 1);
        if (!r)
          return reply_error(call, r.error());
        reply_json(call, 201, runtime::feedback_json(given));
      });
    });
}

void decision_routes::categories(const api_call_ptr& call, const authenticated& who) {
  json::array items;
  for (const auto& c : p_.catalog.get().feedback_categories(who.workspace_id))
    items.push_back(category_json(c));
  reply_json(call, 200, json::object{{"items", std::move(items)}});
}

void decision_routes::category_create(const api_call_ptr& call, const authenticated& who) {
  const auto* body = call->body ? call->body->if_object() : nullptr;
  if (!body)
    return reply_error(call, 400, "invalid_category", "the body must be a JSON object");
  const auto* name = body->if_contains("name");
  if (!name || !name->is_string() || !runtime::valid_category_name(name->get_string()))
    return reply_error(call, 400, "invalid_category",
                       "name must match ^[a-z][a-z0-9_]{0,39}$");
  std::string description;
  if (const auto* d = body->if_contains("description"); d && !d->is_null()) {
    if (!d->is_string() || d->get_string().size() > 1000)
      return reply_error(call, 400, "invalid_category",
                         "description must be a string of at most 1000 characters");
    description = std::string(d->get_string());
  }
  runtime::category_record created{std::string(name->get_string()), description, false};
  if (p_.catalog.get().feedback_category(who.workspace_id, created.name))
    return reply_error(call, 409, "category_exists",
                       "category \"" + created.name + "\" exists");
  p_.catalog.save(names::workspace_stream(who.workspace_id),
                  runtime::feedback_category_added{who.workspace_id, created.name, description},
                  [call, created](const error* failed) {
                    if (failed)
                      return reply_error(call, *failed);
                    reply_json(call, 201, category_json(created));
                  });
}

void decision_routes::category_delete(const api_call_ptr& call, const authenticated& who) {
  const auto& name = call->param(0);
  auto category = p_.catalog.get().feedback_category(who.workspace_id, name);
  if (!category)
    return reply_not_found(call, "category " + name);
  if (category->built_in)
    return reply_error(call, 409, "category_built_in",
                       "category \"" + name + "\" is built in and cannot be deleted");
  p_.catalog.save(names::workspace_stream(who.workspace_id),
                  runtime::feedback_category_removed{who.workspace_id, name},
                  [call](const error* failed) {
                    if (failed)
                      return reply_error(call, *failed);
                    reply_no_content(call);
                  });
}

} // namespace baley::http
