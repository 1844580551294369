// The analytics routes; see analytics_routes.hpp.
#include "http/analytics_routes.hpp"

#include "http/replies.hpp"
#include "http/time_range.hpp"
#include "runtime/insight/analytics_rows.hpp"
#include "runtime/time_format.hpp"
#include "storage/keys.hpp"
#include "storage/projections.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <map>
#include <set>

namespace baley::http {
namespace json = boost::json;
using runtime::hour_ms;

namespace {

constexpr unix_ms default_span = 30 * runtime::day_ms;

result<time_range> analytics_range(const api_call_ptr& call, const actors::engine& engine) {
  auto now = engine.time()->now();
  return time_range_of(call->request, now - default_span, now);
}

// The hour a row key ends with (the last 8 bytes).
unix_ms hour_at_end(std::string_view key) {
  return static_cast<unix_ms>(storage::read_be64(key.substr(key.size() - storage::be64_size)));
}

json::object tokens_json(const runtime::usage_totals& u) {
  return {{"input", u.tokens_input}, {"output", u.tokens_output}};
}

} // namespace

void analytics_routes::block(const api_call_ptr& call, const authenticated& who) {
  const auto& id = call->param(0);
  if (!p_.catalog.get().block(who.workspace_id, id))
    return reply_not_found(call, "block " + id);
  auto range = analytics_range(call, p_.engine);
  if (!range)
    return reply_error(call, range.error());
  auto bucket = call->request.query_param("bucket").value_or("day");
  if (bucket != "day" && bucket != "hour")
    return reply_error(call, 400, "invalid_query", "bucket must be hour or day");
  p_.async.on_reader([&log = p_.engine.log(), call, ws = who.workspace_id, id,
                      range = *range, by_day = bucket == "day"] {
    std::map<unix_ms, runtime::block_bucket> buckets;
    runtime::block_bucket totals;
    auto begin = storage::projections::block_bucket_key(ws, id, runtime::hour_of(range.from));
    auto end = storage::projections::block_bucket_key(ws, id, runtime::hour_of(range.to) + hour_ms);
    auto scanned = log.scan_projection_range(
      storage::families::block_buckets, begin, end, [&](std::string_view key, std::string_view value) {
        auto hour = hour_at_end(key);
        auto row = runtime::parse_block_bucket(value);
        buckets[by_day ? runtime::day_of(hour) : hour].merge(row);
        totals.merge(row);
        return true;
      });
    if (!scanned)
      return reply_error(call, scanned.error());
    json::array items;
    for (const auto& [start, b] : buckets)
      items.push_back(runtime::block_bucket_json(b, start));
    reply_json(call, 200,
               json::object{{"blockId", id},
                            {"bucket", by_day ? "day" : "hour"},
                            {"from", format_rfc3339_ms(range.from)},
                            {"to", format_rfc3339_ms(range.to)},
                            {"buckets", std::move(items)},
                            {"totals", runtime::block_bucket_json(totals, std::nullopt)}});
  });
}

void analytics_routes::cost(const api_call_ptr& call, const authenticated& who) {
  auto range = analytics_range(call, p_.engine);
  if (!range)
    return reply_error(call, range.error());
  auto group = call->request.query_param("groupBy").value_or("block");
  if (group != "block" && group != "model" && group != "flow")
    return reply_error(call, 400, "invalid_query", "groupBy must be block, model or flow");
  // Labels come from the catalog, read here on the actor's thread.
  std::map<std::string, std::string> labels;
  const auto& catalog = p_.catalog.get();
  auto name_of = [](const json::value& v) -> std::string {
    const auto* o = v.if_object();
    const auto* name = o ? o->if_contains("name") : nullptr;
    return name && name->is_string() ? std::string(name->get_string()) : std::string();
  };
  if (group == "block")
    for (const auto* b : catalog.blocks(who.workspace_id))
      labels[b->id] = name_of(b->block);
  if (group == "flow" || group == "block")
    for (const auto* f : catalog.flows(who.workspace_id))
      labels[group == "flow" ? f->id : f->id + "/"] = name_of(f->flow);
  p_.async.on_reader([&log = p_.engine.log(), call, ws = who.workspace_id, group,
                      range = *range, labels = std::move(labels)] {
    std::map<std::string, runtime::usage_totals> by_key;
    auto begin = storage::projections::cost_buckets_from(ws, group, runtime::hour_of(range.from));
    auto end = storage::projections::cost_buckets_from(ws, group,
                                                       runtime::hour_of(range.to) + hour_ms);
    auto prefix_size = begin.size();
    auto scanned = log.scan_projection_range(
      storage::families::cost_buckets, begin, end, [&](std::string_view key, std::string_view value) {
        by_key[std::string(key.substr(prefix_size))].add(runtime::parse_usage(value));
        return true;
      });
    if (!scanned)
      return reply_error(call, scanned.error());
    std::vector<std::pair<std::string, runtime::usage_totals>> sorted(by_key.begin(), by_key.end());
    std::stable_sort(sorted.begin(), sorted.end(), [](const auto& a, const auto& b) {
      return a.second.cost > b.second.cost;
    });
    json::array items;
    runtime::usage_totals total;
    for (const auto& [key, usage] : sorted) {
      std::string label = key;
      if (auto it = labels.find(key); it != labels.end() && !it->second.empty())
        label = it->second;
      else if (auto slash = key.find('/'); group == "block" && slash != std::string::npos)
        if (auto flow = labels.find(key.substr(0, slash + 1)); flow != labels.end())
          label = flow->second + " / " + key.substr(slash + 1);
      items.push_back(json::object{{"key", key},
                                   {"label", label},
                                   {"decisions", usage.decisions},
                                   {"tokens", tokens_json(usage)},
                                   {"cost", usage.cost}});
      total.add(usage);
    }
    reply_json(call, 200,
               json::object{{"groupBy", group},
                            {"from", format_rfc3339_ms(range.from)},
                            {"to", format_rfc3339_ms(range.to)},
                            {"items", std::move(items)},
                            {"total", json::object{{"decisions", total.decisions},
                                                   {"tokens", tokens_json(total)},
                                                   {"cost", total.cost}}}});
  });
}

void analytics_routes::failures(const api_call_ptr& call, const authenticated& who) {
  auto range = analytics_range(call, p_.engine);
  if (!range)
    return reply_error(call, range.error());
  auto flow_id = call->request.query_param("flowId");
  auto block_id = call->request.query_param("blockId");
  p_.async.on_reader([&log = p_.engine.log(), call, ws = who.workspace_id, range = *range,
                      flow_id, block_id] {
    struct merged {
      runtime::failure_group group;
      std::set<std::string> flow_ids;
      std::set<std::string> node_ids;
    };
    std::map<std::string, merged> by_signature;
    auto begin = storage::projections::failure_buckets_from(ws, runtime::hour_of(range.from));
    auto end = storage::projections::failure_buckets_from(ws, runtime::hour_of(range.to) + hour_ms);
    auto scanned = log.scan_projection_range(
      storage::families::failure_buckets, begin, end, [&](std::string_view, std::string_view value) {
        auto row = runtime::parse_failure_group(value);
        if (!row || (flow_id && row->flow_id != *flow_id)
            || (block_id && row->block_id != *block_id))
          return true;
        auto& m = by_signature[row->signature];
        auto& g = m.group;
        if (g.count == 0) {
          g.signature = row->signature;
          g.code = row->code;
          g.first_seen = row->first_seen;
        }
        g.count += row->count;
        g.first_seen = std::min(g.first_seen, row->first_seen);
        g.last_seen = std::max(g.last_seen, row->last_seen);
        g.examples.insert(g.examples.end(), row->examples.begin(), row->examples.end());
        m.flow_ids.insert(row->flow_id);
        m.node_ids.insert(row->node_id);
        return true;
      });
    if (!scanned)
      return reply_error(call, scanned.error());
    std::vector<merged*> sorted;
    for (auto& [signature, m] : by_signature)
      sorted.push_back(&m);
    std::stable_sort(sorted.begin(), sorted.end(), [](const merged* a, const merged* b) {
      return a->group.count > b->group.count;
    });
    json::array items;
    for (auto* m : sorted) {
      auto& g = m->group;
      std::stable_sort(g.examples.begin(), g.examples.end(),
                       [](const auto& a, const auto& b) { return a.at > b.at; });
      json::array examples;
      for (std::size_t i = 0; i < g.examples.size() && i < runtime::max_failure_examples; ++i)
        examples.push_back(json::object{{"executionId", g.examples[i].execution_id},
                                        {"nodeId", g.examples[i].node_id},
                                        {"error", g.examples[i].error},
                                        {"at", format_rfc3339_ms(g.examples[i].at)}});
      items.push_back(json::object{{"signature", g.signature},
                                   {"code", g.code.empty() ? json::value() : json::value(g.code)},
                                   {"count", g.count},
                                   {"firstSeen", format_rfc3339_ms(g.first_seen)},
                                   {"lastSeen", format_rfc3339_ms(g.last_seen)},
                                   {"flowIds", json::value_from(m->flow_ids)},
                                   {"nodeIds", json::value_from(m->node_ids)},
                                   {"examples", std::move(examples)}});
    }
    reply_json(call, 200, json::object{{"items", std::move(items)}});
  });
}

} // namespace baley::http
