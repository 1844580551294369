// insight_projector: read the row a put replaces, count the difference.
#include "storage/insight_projector.hpp"

#include "runtime/insight/analytics_rows.hpp"
#include "runtime/insight/failure_signature.hpp"
#include "runtime/insight/pattern.hpp"
#include "runtime/insight/pattern_events.hpp"
#include "storage/projections.hpp"

namespace baley::storage {
namespace {

using namespace runtime;

class insight_projector final : public projector {
public:
  bool watches(std::string_view family) const override {
    return family == families::decisions || family == families::node_failures
           || family == families::pattern_matches || family == families::pattern_stats;
  }

  status derive(const projection_put& put, const staged_reader& read,
                std::vector<projection_put>& out) override {
    if (put.erase || put.family == families::pattern_stats)
      return ok;  // a stats row is watched only to be read back in its batch
    auto before = read.get(put.family, put.key);
    if (!before)
      return std::move(before).error();
    if (put.family == families::decisions)
      return decision_changed(*before, put.value, read, out);
    if (*before)
      return ok;  // a failure, a match is counted once
    if (put.family == families::pattern_matches)
      return match_added(put.key, put.value, read, out);
    return failure_added(put.value, read, out);
  }

private:
  static result<std::optional<std::string>> row(const staged_reader& read,
                                                std::string_view family,
                                                const std::string& key) {
    return read.get(family, key);
  }

  status decision_changed(const std::optional<std::string>& before_text,
                          const std::string& after_text, const staged_reader& read,
                          std::vector<projection_put>& out) {
    auto after = parse_decision(after_text);
    if (!after)
      return ok;  // not a decision: nothing to count
    std::optional<decision_record> before;
    if (before_text)
      if (auto parsed = parse_decision(*before_text))
        before = std::move(*parsed);
    const auto& d = *after;
    auto hour = hour_of(before ? before->created_at : d.created_at);
    auto bucket_key = projections::block_bucket_key(d.workspace_id, d.block_key(), hour);
    auto stored = row(read, families::block_buckets, bucket_key);
    if (!stored)
      return std::move(stored).error();
    auto bucket = *stored ? parse_block_bucket(**stored) : block_bucket{};
    if (before) {
      if (before->feedback == d.feedback)
        return ok;
      bucket.change_feedback(before->feedback, d.feedback);
    } else {
      bucket.add_decision(d);
    }
    out.push_back({.family = std::string(families::block_buckets),
                   .key = std::move(bucket_key),
                   .value = serialize_block_bucket(bucket)});
    if (before)
      return ok;
    std::pair<std::string_view, std::string> groups[] = {
      {"block", d.block_key()}, {"model", d.model}, {"flow", d.flow_id}};
    for (auto& [group, key] : groups) {
      auto cost_key = projections::cost_bucket_key(d.workspace_id, group, hour, key);
      auto cost_row = row(read, families::cost_buckets, cost_key);
      if (!cost_row)
        return std::move(cost_row).error();
      auto usage = *cost_row ? parse_usage(**cost_row) : usage_totals{};
      usage.add(usage_of(d));
      out.push_back({.family = std::string(families::cost_buckets),
                     .key = std::move(cost_key),
                     .value = serialize_usage(usage)});
    }
    return ok;
  }

  // A match counts toward its pattern's stats while they are of its version:
  // a scan chunk of a version replaced meanwhile, or of a deleted pattern,
  // counts for nothing.
  status match_added(const std::string& key, const std::string& text, const staged_reader& read,
                     std::vector<projection_put>& out) {
    auto at = projections::read_pattern_match_key(key);
    auto match = parse_match_row(text);
    if (!at || !match)
      return ok;
    auto stored = row(read, families::pattern_stats, at->pattern_id);
    if (!stored)
      return std::move(stored).error();
    if (!*stored)
      return ok;
    auto stats = parse_versioned_stats(**stored);
    if (stats.version != at->version)
      return ok;
    stats.stats.add(match->agreed, match->created_at);
    out.push_back(projections::pattern_stats(at->pattern_id, serialize_versioned_stats(stats)));
    return ok;
  }

  status failure_added(const std::string& text, const staged_reader& read,
                       std::vector<projection_put>& out) {
    auto f = parse_failure(text);
    if (!f)
      return ok;
    auto key = projections::failure_bucket_key(f->workspace_id, hour_of(f->at),
                                               failure_signature(f->error), f->flow_id,
                                               f->node_id);
    auto stored = row(read, families::failure_buckets, key);
    if (!stored)
      return std::move(stored).error();
    failure_group group;
    if (*stored)
      if (auto parsed = parse_failure_group(**stored))
        group = std::move(*parsed);
    group.add(*f);
    out.push_back({.family = std::string(families::failure_buckets),
                   .key = std::move(key),
                   .value = serialize_failure_group(group)});
    return ok;
  }
};

} // namespace

std::shared_ptr<projector> make_insight_projector() {
  return std::make_shared<insight_projector>();
}

} // namespace baley::storage
