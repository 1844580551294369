// The rebuild: read `global` in order, fold each execution, and write what
// the live writers wrote, in batches, through the log (so the insight
// projector derives the analytics rows exactly as it did live).
#include "storage/rebuild.hpp"

#include "runtime/catalog/config_events.hpp"
#include "runtime/execution/test_run.hpp"
#include "runtime/flow/block_resolution.hpp"
#include "runtime/ops/ops_events.hpp"
#include "runtime/stream_names.hpp"
#include "storage/execution_projections.hpp"
#include "storage/pattern_projections.hpp"
#include "storage/projections.hpp"
#include "storage/saved_version.hpp"

#include <boost/json/serialize.hpp>

#include <chrono>
#include <unordered_map>

namespace baley::storage {
namespace json = boost::json;
using namespace runtime;

namespace {

constexpr std::size_t read_chunk = 4096;
constexpr std::size_t write_chunk = 2048;

void fnv(std::uint64_t& h, std::string_view bytes) {
  for (unsigned char c : bytes) {
    h ^= c;
    h *= 1099511628211ull;
  }
}

// A saved version, or nothing: what the live loader would have failed on
// wrote no decisions either.
template <class Event>
std::optional<Event> saved_version(const event_log& log, const std::string& stream,
                                   std::uint64_t version) {
  auto saved = read_saved_version<Event>(log, stream, version);
  if (!saved)
    return std::nullopt;
  return std::move(saved).value();
}

class rebuilder {
public:
  explicit rebuilder(event_log& log) : log_(log) {}

  status event(const committed_event& e) {
    std::string_view stream = e.stream;
    auto bytes = event_bytes(e.record);
    if (stream.starts_with(names::execution_stream_prefix))
      return execution_event_of(std::string(stream.substr(names::execution_stream_prefix.size())),
                                bytes);
    if (stream.starts_with(names::webhook_log_stream_prefix)) {
      if (auto parsed = parse_ops_event(bytes))
        if (auto* call = std::get_if<webhook_called>(&parsed->payload))
          pending_.push_back(projections::webhook_log(call->flow_id, call->call_id,
                                                      json::serialize(webhook_call_entry(*call))));
      return ok;
    }
    if (stream.starts_with(names::feedback_stream_prefix))
      return feedback_event(bytes);
    if (stream.starts_with(names::pattern_stream_prefix)) {
      if (auto parsed = parse_config_event(bytes))
        pattern_config_puts(parsed->payload, pending_);
      return ok;
    }
    if (stream == names::pattern_matches_stream) {
      if (auto parsed = parse_pattern_match_event(bytes))
        pattern_match_puts(*parsed, pending_);
      return ok;
    }
    return ok;
  }

  // Writes what is pending through the log (and its projector).
  status flush() {
    if (pending_.empty())
      return ok;
    puts_ += pending_.size();
    append_request request;
    request.projections = std::move(pending_);
    pending_.clear();
    auto written = log_.append(std::move(request));
    if (!written)
      return written.error();
    return ok;
  }

  std::size_t pending() const { return pending_.size(); }
  std::uint64_t puts() const { return puts_; }

private:
  struct execution {
    execution_state state;
    execution_facts facts;
  };

  status execution_event_of(const std::string& id, std::string_view bytes) {
    auto parsed = parse_event(bytes);
    if (!parsed)
      return ok;  // what the live writer could not have written either
    auto& run = executions_[id];
    if (const auto* start = std::get_if<execution_start>(&parsed->payload))
      run.facts = facts_of(*start);
    execution_puts(id, run.state, {*parsed}, run.facts, pending_);
    apply(run.state, *parsed);
    if (is_terminal(run.state.status))
      executions_.erase(id);  // nothing follows a terminal event
    return ok;
  }

  // What the live actor read off its compiled flow: the stored blocks of
  // the flow version's nodes, and for a test run its block's kind.
  execution_facts facts_of(const execution_start& start) {
    execution_facts facts;
    if (auto tested = tested_block_of(start.flow_id)) {
      auto block = saved_version<block_saved>(log_, names::block_stream(*tested), start.flow_version);
      const auto* o = block ? block->block.if_object() : nullptr;
      const auto* type = o ? o->if_contains("type") : nullptr;
      facts.tested_block_is_ai = type && type->is_string() && type->get_string() == "ai-block";
    }
    auto key = start.flow_id + "@" + std::to_string(start.flow_version);
    auto [it, fresh] = flow_blocks_.try_emplace(key);
    if (fresh)
      it->second = node_blocks(start);
    auto blocks = std::make_shared<const std::map<std::string, std::string>>(it->second);
    facts.stored_block_of = [blocks](const std::string& node) -> std::optional<std::string> {
      auto at = blocks->find(node);
      if (at == blocks->end())
        return std::nullopt;
      return at->second;
    };
    return facts;
  }

  std::map<std::string, std::string> node_blocks(const execution_start& start) {
    std::map<std::string, std::string> blocks;
    json::value flow;
    if (auto tested = tested_block_of(start.flow_id)) {
      flow = block_test_flow(*tested, json::object{});
    } else if (auto saved = saved_version<flow_saved>(log_, names::flow_stream(start.flow_id),
                                                      start.flow_version)) {
      flow = std::move(saved->flow);
    }
    const auto* nodes = flow.is_object() ? flow.get_object().if_contains("nodes") : nullptr;
    if (!nodes || !nodes->is_array())
      return blocks;
    for (const auto& n : nodes->get_array()) {
      const auto* node = n.if_object();
      const auto* id = node ? node->if_contains("id") : nullptr;
      const auto* data = node ? node->if_contains("data") : nullptr;
      if (!id || !id->is_string() || !data || !data->is_object())
        continue;
      if (auto block = stored_block_of_node(data->get_object()))
        blocks[std::string(id->get_string())] = std::move(*block);
    }
    return blocks;
  }

  // The route read the decision, set its latest feedback and wrote its rows.
  status feedback_event(std::string_view bytes) {
    auto given = parse_feedback_event(bytes);
    if (!given)
      return ok;
    if (auto flushed = flush(); !flushed)
      return flushed;
    auto stored = log_.get_projection(families::decisions, given->decision_id);
    if (!stored)
      return stored.error();
    if (!*stored)
      return ok;
    auto d = parse_decision(**stored);
    if (!d)
      return ok;
    d->feedback = *given;
    decision_puts(*d, pending_);
    return ok;
  }

  event_log& log_;
  std::vector<projection_put> pending_;
  std::uint64_t puts_ = 0;
  std::unordered_map<std::string, execution> executions_;
  std::map<std::string, std::map<std::string, std::string>> flow_blocks_;
};

} // namespace

result<projection_digests> digest_projections(const event_log& log) {
  projection_digests digests;
  for (auto family : families::all) {
    auto& d = digests[std::string(family)];
    d.digest = 14695981039346656037ull;
    auto scanned = log.scan_projection(family, "", [&d](std::string_view key, std::string_view value) {
      ++d.rows;
      fnv(d.digest, std::to_string(key.size()) + ":");
      fnv(d.digest, key);
      fnv(d.digest, std::to_string(value.size()) + ":");
      fnv(d.digest, value);
    });
    if (!scanned)
      return scanned.error();
  }
  return digests;
}

result<rebuild_report> rebuild_projections(event_log& log) {
  auto began = std::chrono::steady_clock::now();
  if (auto cleared = log.clear_projections(); !cleared)
    return cleared.error();
  rebuilder rebuild(log);
  rebuild_report report;
  global_position next{0};
  for (;;) {
    auto events = log.read_global(next, read_chunk);
    if (!events)
      return events.error();
    if (events->empty())
      break;
    for (const auto& e : *events) {
      if (auto done = rebuild.event(e); !done)
        return done.error();
      if (rebuild.pending() >= write_chunk)
        if (auto flushed = rebuild.flush(); !flushed)
          return flushed.error();
    }
    report.events += events->size();
    next = events->back().position + 1;
  }
  if (auto flushed = rebuild.flush(); !flushed)
    return flushed.error();
  report.puts = rebuild.puts();
  report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - began).count();
  return report;
}

} // namespace baley::storage
