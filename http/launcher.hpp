// Starting an execution of a saved flow version, for every trigger the API
// has (execute, webhook): the flow's stored blocks at their latest versions,
// the flow compiled (on a reader when it is not cached), the input checked
// against the source's inputSchema, the execution registered before it runs
// and answered only once its execution_start is durable.
#pragma once

#include "actors/engine.hpp"
#include "http/api_async.hpp"
#include "http/catalog_store.hpp"
#include "http/execution_registry.hpp"
#include "http/idempotency_index.hpp"
#include "http/metrics.hpp"

#include <functional>
#include <map>
#include <string>

namespace baley::http {

struct launch_request {
  std::string workspace_id;
  std::string flow_id;
  std::uint64_t flow_version = 0;
  boost::json::value input;
  runtime::trigger trigger;
  std::string idempotency_key;  // empty: none
  // The stored blocks to run and their versions; empty: those the flow uses,
  // at their latest versions (a test run names its block's).
  std::map<std::string, std::uint64_t> block_versions;
};

// The id of the execution, once its start is durable; or why it did not
// start ("invalid_input" from the schema, the log's error).
using launch_continuation =
  std::function<void(const std::string* execution_id, const error* failed)>;

class execution_launcher {
public:
  struct parts {
    actors::engine& engine;
    const catalog_store& catalog;
    execution_registry& executions;
    idempotency_index& idempotency;
    api_async& async;
    metrics& counters;
    actors::id_source& ids;
    actors::execution_observer observer;  // the API actor
  };
  explicit execution_launcher(parts p) : p_(std::move(p)) {}

  void launch(launch_request request, launch_continuation then);

private:
  using block_versions = std::map<std::string, std::uint64_t>;
  void start_compiled(const launch_request& request, const block_versions& blocks,
                      std::shared_ptr<const runtime::compiled_flow> flow,
                      launch_continuation then);

  parts p_;
};

} // namespace baley::http
