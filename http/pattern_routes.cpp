// Patterns: checks, config events, the matcher's scans and the stats rows;
// see pattern_routes.hpp.
#include "http/pattern_routes.hpp"

#include "http/paging.hpp"
#include "runtime/insight/pattern.hpp"
#include "runtime/json_text.hpp"
#include "runtime/stream_names.hpp"
#include "runtime/time_format.hpp"
#include "storage/pattern_projections.hpp"
#include "storage/projections.hpp"

#include <boost/json.hpp>

namespace baley::http {
namespace json = boost::json;

namespace {

runtime::pattern_stats stats_of(const storage::event_log& log, const std::string& pattern_id,
                                std::uint64_t version) {
  auto stored = log.get_projection(storage::families::pattern_stats, pattern_id);
  if (!stored || !*stored)
    return {};
  auto row = runtime::parse_versioned_stats(**stored);
  return row.version == version ? row.stats : runtime::pattern_stats{};
}

// The API's pattern: its fields, its times and the stats of its version.
json::object pattern_json(const runtime::pattern_record& p, const storage::event_log& log) {
  json::object o;
  o["id"] = p.id;
  if (const auto* fields = p.pattern.if_object())
    for (const auto& [key, value] : *fields)
      o[key] = value;
  o["createdAt"] = format_rfc3339_ms(p.created_at);
  o["updatedAt"] = format_rfc3339_ms(p.updated_at);
  o["stats"] = runtime::pattern_stats_json(stats_of(log, p.id, p.version));
  return o;
}

// A body's fields, checked against the workspace: "invalid_pattern" naming
// the field that is wrong.
result<runtime::pattern_fields> checked_fields(const api_call_ptr& call,
                                               const runtime::catalog& catalog,
                                               runtime::jq_cache& programs,
                                               const std::string& workspace_id) {
  if (!call->body)
    return error{"invalid_pattern", "the body must be a JSON object", {}};
  auto fields = runtime::read_pattern_body(*call->body);
  if (!fields)
    return fields;
  const auto* block = catalog.block(workspace_id, fields->block_id);
  if (!block)
    return error{"invalid_pattern",
                 "blockId: no block \"" + fields->block_id + "\" in this workspace", {}};
  const auto* o = block->block.if_object();
  const auto* type = o ? o->if_contains("type") : nullptr;
  if (!type || !type->is_string() || type->get_string() != "ai-block")
    return error{"invalid_pattern",
                 "blockId: block \"" + fields->block_id
                   + "\" is not an ai-block; patterns are over the decisions of ai-blocks",
                 {}};
  if (auto compiled = programs.get(fields->condition); !compiled)
    return error{"invalid_pattern", "condition: " + compiled.error().message, {}};
  if (auto wrapped = programs.get(runtime::match_program(fields->condition)); !wrapped)
    return error{"invalid_pattern",
                 "condition: not one jq expression (" + wrapped.error().message + ")", {}};
  return fields;
}

} // namespace

std::optional<actors::pattern_definition> definition_of(const runtime::pattern_record& p) {
  auto fields = runtime::read_pattern_body(p.pattern);
  if (!fields)
    return std::nullopt;
  return actors::pattern_definition{p.id, p.workspace_id, p.version, std::move(*fields)};
}

void pattern_routes::create(const api_call_ptr& call, const authenticated& who) {
  save_version(call, who, p_.ids.next_id(), 1, 201);
}

void pattern_routes::update(const api_call_ptr& call, const authenticated& who) {
  const auto* pattern = p_.catalog.get().pattern(who.workspace_id, call->param(0));
  if (!pattern)
    return reply_not_found(call, "pattern " + call->param(0));
  save_version(call, who, pattern->id, pattern->version + 1, 200);
}

void pattern_routes::save_version(const api_call_ptr& call, const authenticated& who,
                                  std::string id, std::uint64_t version, int status) {
  auto fields = checked_fields(call, p_.catalog.get(), p_.engine.programs(), who.workspace_id);
  if (!fields)
    return reply_error(call, fields.error());
  runtime::pattern_saved saved{id, who.workspace_id, version,
                               runtime::pattern_fields_json(*fields)};
  std::vector<storage::projection_put> puts;
  storage::pattern_config_puts(saved, puts);
  actors::pattern_definition definition{id, who.workspace_id, version, std::move(*fields)};
  p_.catalog.save(
    names::pattern_stream(id), std::move(saved),
    [this, call, id, ws = who.workspace_id, definition = std::move(definition),
     status](const error* failed) mutable {
      if (failed)
        return reply_error(call, *failed);
      // The matcher answers on its thread; the reply is built on a reader.
      auto answer = p_.async.resumer([this, call, id, ws, status] {
        const auto* record = p_.catalog.get().pattern(ws, id);
        if (!record)
          return reply_not_found(call, "pattern " + id);  // deleted meanwhile
        p_.async.on_reader([&log = p_.engine.log(), call, record = *record, status] {
          reply_json(call, status, pattern_json(record, log));
        });
      });
      p_.engine.patterns().saved(std::move(definition),
                                 [answer = std::move(answer)](actors::scan_outcome) { answer(); });
    },
    std::move(puts));
}

void pattern_routes::list(const api_call_ptr& call, const authenticated& who) {
  auto block_id = call->request.query_param("blockId");
  auto records = std::make_shared<std::vector<runtime::pattern_record>>();
  for (const auto* p : p_.catalog.get().patterns(who.workspace_id)) {
    const auto* o = p->pattern.if_object();
    const auto* block = o ? o->if_contains("blockId") : nullptr;
    if (!block_id || (block && block->is_string() && block->get_string() == *block_id))
      records->push_back(*p);
  }
  p_.async.on_reader([&log = p_.engine.log(), call, records] {
    std::vector<const runtime::pattern_record*> page;
    for (const auto& r : *records)
      page.push_back(&r);
    reply_page(call, page, [&log](const runtime::pattern_record& r) { return pattern_json(r, log); });
  });
}

void pattern_routes::get(const api_call_ptr& call, const authenticated& who) {
  const auto* pattern = p_.catalog.get().pattern(who.workspace_id, call->param(0));
  if (!pattern)
    return reply_not_found(call, "pattern " + call->param(0));
  p_.async.on_reader([&log = p_.engine.log(), call, record = *pattern] {
    reply_json(call, 200, pattern_json(record, log));
  });
}

void pattern_routes::remove(const api_call_ptr& call, const authenticated& who) {
  const auto* pattern = p_.catalog.get().pattern(who.workspace_id, call->param(0));
  if (!pattern)
    return reply_not_found(call, "pattern " + call->param(0));
  runtime::pattern_deleted deleted{pattern->id};
  std::vector<storage::projection_put> puts;
  storage::pattern_config_puts(deleted, puts);
  p_.catalog.save(
    names::pattern_stream(pattern->id), deleted,
    [this, call, id = pattern->id](const error* failed) {
      if (failed)
        return reply_error(call, *failed);
      p_.engine.patterns().deleted(id);
      reply_no_content(call);
    },
    std::move(puts));
}

void pattern_routes::matches(const api_call_ptr& call, const authenticated& who) {
  const auto* pattern = p_.catalog.get().pattern(who.workspace_id, call->param(0));
  if (!pattern)
    return reply_not_found(call, "pattern " + call->param(0));
  reply_index_page(p_.async, p_.engine.log(), call, storage::families::pattern_matches,
                   storage::projections::pattern_version_matches(pattern->id, pattern->version),
                   [](std::string_view, std::string_view row) -> std::optional<json::value> {
                     boost::system::error_code ec;
                     auto item = runtime::parse_stored_json(row, ec);
                     if (ec)
                       return std::nullopt;
                     return item;
                   });
}

} // namespace baley::http
