// execution_puts: each event judged on the state just before it.
#include "storage/execution_projections.hpp"

#include "runtime/execution/execution_summary.hpp"
#include "runtime/execution/test_run.hpp"
#include "runtime/insight/analytics_rows.hpp"
#include "storage/projections.hpp"

#include <boost/json/serialize.hpp>

namespace baley::storage {

using namespace runtime;

namespace {

void put_summary(const std::string& id, const execution_state& after, unix_ms at,
                 const execution_facts& facts, std::vector<projection_put>& out) {
  auto summary = serialize_summary(summarize(id, after, at));
  if (!after.workspace_id.empty())
    out.push_back(projections::workspace_execution(after.workspace_id, id, summary));
  out.push_back(projections::execution_summary(id, std::move(summary)));
  if (auto block = tested_block_of(after.flow_id); block && after.trigger.kind == trigger_kind::test)
    out.push_back(projections::test_run(
      after.workspace_id, *block, id,
      boost::json::serialize(test_run_json(id, after, facts.tested_block_is_ai))));
}

std::optional<std::string> block_of(const execution_facts& facts, const std::string& node_id) {
  return facts.stored_block_of ? facts.stored_block_of(node_id) : std::nullopt;
}

} // namespace

void decision_puts(const decision_record& d, std::vector<projection_put>& out) {
  auto index = serialize_decision_index(d);
  out.push_back(projections::decision(d.id, serialize_decision(d)));
  out.push_back(projections::workspace_decision(d.workspace_id, d.id, index));
  out.push_back(projections::block_decision(d.workspace_id, d.block_key(), d.id, std::move(index)));
}

void execution_puts(const std::string& execution_id, const execution_state& before,
                    const std::vector<execution_event>& events, const execution_facts& facts,
                    std::vector<projection_put>& out) {
  std::optional<execution_state> folded;  // made when a second event needs it
  auto state_before = [&](std::size_t i) -> const execution_state& {
    if (i == 0)
      return before;
    if (!folded) {
      folded = before;
      for (std::size_t j = 0; j < i; ++j)
        apply(*folded, events[j]);
    }
    return *folded;
  };
  bool changes_summary = false;
  for (std::size_t i = 0; i < events.size(); ++i) {
    const auto& payload = events[i].payload;
    changes_summary |= is_terminal(payload) || std::holds_alternative<execution_start>(payload);
    if (const auto* start = std::get_if<execution_start>(&payload);
        start && !start->idempotency_key.empty())
      out.push_back(projections::idempotency(
        start->workspace_id, start->idempotency_key,
        boost::json::serialize(boost::json::object{{"executionId", execution_id},
                                                   {"at", events[i].ts}})));
    if (const auto* done = std::get_if<node_complete>(&payload); done && done->model) {
      if (auto d = decision_of(execution_id, state_before(i), *done, events[i].ts,
                               block_of(facts, done->node_id))) {
        decision_puts(*d, out);
        out.push_back(projections::queued_decision(d->id));
      }
    } else if (const auto* failed = std::get_if<node_error>(&payload)) {
      if (auto f = failure_of(execution_id, state_before(i), *failed, events[i].ts,
                              block_of(facts, failed->node_id).value_or("")))
        out.push_back(projections::node_failure(f->workspace_id, execution_id,
                                                f->occurrence_key(), serialize_failure(*f)));
    }
    if (folded)
      apply(*folded, events[i]);
  }
  if (!changes_summary)
    return;
  if (!folded) {
    folded = before;
    for (const auto& e : events)
      apply(*folded, e);
  }  // else the loop above folded every event
  put_summary(execution_id, *folded, events.back().ts, facts, out);
}

} // namespace baley::storage
