// Executions (API.md, "Executions"): start (with ?wait= and Idempotency-Key),
// cancel, read one, list; and what the execution actors tell the API when
// they start and end. Reads run on reader threads; the registry keeps the
// live executions and the requests waiting on them.
#pragma once

#include "http/auth.hpp"
#include "http/launcher.hpp"
#include "runtime/execution/execution_summary.hpp"

namespace baley::http {

class execution_routes {
public:
  struct parts {
    actors::engine& engine;
    const catalog_store& catalog;
    execution_registry& executions;
    idempotency_index& idempotency;
    execution_launcher& launcher;
    api_async& async;
    metrics& counters;
  };
  explicit execution_routes(parts p) : p_(p) {}

  void execute(const api_call_ptr& call, const authenticated& who);
  void cancel(const api_call_ptr& call, const authenticated& who);
  void get(const api_call_ptr& call, const authenticated& who);
  void list(const api_call_ptr& call, const authenticated& who);

  // Observer messages of the execution actors.
  void started(const std::string& execution_id);
  void finished(const actors::execution_finished& finished);

  // Answers `call` once execution `id` ends (finished() replies), or 202
  // with `still_running` after `seconds`.
  void wait_for(const api_call_ptr& call, const std::string& id, double seconds,
                boost::json::object still_running);

private:
  void wait_for(const api_call_ptr& call, const std::string& id, double seconds);
  bool replay_idempotent(const api_call_ptr& call, const authenticated& who,
                         const std::string& key, std::optional<double> wait);

  parts p_;
};

// ?wait=N: seconds from 0 to 300, or none; "invalid_query" otherwise.
result<std::optional<double>> wait_of(const http_request& request);

// The summary of an execution, if it exists in `workspace_id` (reader
// threads: it reads the log).
std::optional<runtime::execution_summary> read_summary(const storage::event_log& log,
                                                       const std::string& workspace_id,
                                                       const std::string& execution_id);

} // namespace baley::http
