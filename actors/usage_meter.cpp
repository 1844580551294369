// usage_meter; see usage_meter.hpp.
#include "actors/usage_meter.hpp"

namespace baley::actors {
namespace {

// The map's entry for `key`, or for `other` once the map is full.
template <class Map, class Key>
typename Map::mapped_type& bounded(Map& map, Key key, Key other) {
  if (auto it = map.find(key); it != map.end())
    return it->second;
  if (map.size() >= usage_meter::max_series)
    return map[std::move(other)];
  return map[std::move(key)];
}

} // namespace

void usage_meter::node_failed(std::string_view flow_id, std::string_view node_id,
                              std::string_view code) {
  std::lock_guard lock(mutex_);
  using key = std::tuple<std::string, std::string, std::string>;
  ++bounded(counts_.node_errors,
            key{std::string(flow_id), std::string(node_id), code.empty() ? "error" : std::string(code)},
            key{"other", "other", "other"});
}

void usage_meter::ai_call(std::string_view provider, std::string_view model, bool ok,
                          std::int64_t input_tokens, std::int64_t output_tokens, double cost) {
  std::lock_guard lock(mutex_);
  using key = std::pair<std::string, std::string>;
  auto& totals = bounded(counts_.ai, key{std::string(provider), std::string(model)},
                         key{std::string(provider), "other"});
  ++(ok ? totals.ok : totals.failed);
  totals.input_tokens += input_tokens;
  totals.output_tokens += output_tokens;
  totals.cost += cost;
}

usage_meter::snapshot usage_meter::read() const {
  std::lock_guard lock(mutex_);
  return counts_;
}

} // namespace baley::actors
