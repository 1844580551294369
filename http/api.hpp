// The API: what `baley serve` starts behind the HTTP server. It folds the
// catalog from the log, creates workspace `default` and an admin token on an
// empty log, resumes unfinished executions, and returns the request sink the
// server hands requests to.
#pragma once

#include "actors/engine.hpp"
#include "actors/recovery.hpp"
#include "http/api_actor.hpp"
#include "http/exchange.hpp"
#include "http/metrics.hpp"

#include <memory>
#include <optional>

namespace baley::http {

struct api_options {
  std::string data_dir;
  bool debug = false;
  int readers = 2;  // threads for log reads
};

struct api_handle {
  std::unique_ptr<request_sink> sink;
  api_actor actor;
  std::optional<std::string> admin_token;  // only when it was just created
  std::size_t resumed = 0;                 // executions resumed at start
  // Unfinished executions that could not resume; each was ended `failed`.
  std::vector<actors::unresumable_execution> not_resumed;
};

result<api_handle> start_api(caf::actor_system& system, actors::engine& engine,
                             metrics& counters, const api_options& options);

// Stops the API actor (and with it its reader threads).
void stop_api(api_handle& handle);

} // namespace baley::http
