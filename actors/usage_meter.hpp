// What this server's executions did, for /metrics: final node errors by flow,
// node and code, and AI calls, tokens and cost by provider and model.
// Thread-safe. Label sets are bounded: past max_series distinct keys a new
// key counts under "other", so a hostile flow cannot grow the page forever.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <tuple>

namespace baley::actors {

class usage_meter {
public:
  static constexpr std::size_t max_series = 1000;

  void node_failed(std::string_view flow_id, std::string_view node_id, std::string_view code);
  // One provider attempt of an ai-block; tokens and cost are those reported.
  void ai_call(std::string_view provider, std::string_view model, bool ok,
               std::int64_t input_tokens, std::int64_t output_tokens, double cost);

  struct ai_totals {
    std::uint64_t ok = 0;
    std::uint64_t failed = 0;
    std::int64_t input_tokens = 0;
    std::int64_t output_tokens = 0;
    double cost = 0;
  };
  struct snapshot {
    // (flow, node, code) -> final node errors
    std::map<std::tuple<std::string, std::string, std::string>, std::uint64_t> node_errors;
    // (provider, model) -> calls, tokens, cost
    std::map<std::pair<std::string, std::string>, ai_totals> ai;
  };
  snapshot read() const;

private:
  mutable std::mutex mutex_;
  snapshot counts_;
};

} // namespace baley::actors
