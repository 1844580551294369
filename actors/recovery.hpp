// Recovery at start: every execution the executions projection lists as
// pending or running is folded from its stream and its flow version loaded,
// each on its own. One that cannot resume (its flow, a block or a connection
// is gone, or its stream does not parse) is ended `failed` with an
// execution_error (code "cannot_resume") that says why; the others resume
// whatever happened to it.
#pragma once

#include "actors/engine.hpp"

#include <string>
#include <vector>

namespace baley::actors {

struct resumable_execution {
  std::string execution_id;
  std::string workspace_id;
  execution_setup setup;  // flow and folded state; spawn it with engine::spawn
};

struct unresumable_execution {
  std::string execution_id;
  std::string workspace_id;
  error reason;           // what is missing or broken, for a person
  bool recorded = false;  // its execution_error is in the log
};

struct recovery_plan {
  std::vector<resumable_execution> resumable;
  std::vector<unresumable_execution> failed;
};

// Reads (and, for those that cannot resume, writes) the log synchronously:
// for start-up, before the server takes requests. An error only when the
// executions projection itself cannot be read.
result<recovery_plan> plan_recovery(engine& engine);

// Spawns every resumable execution of `plan`, each telling `observer` how it
// ends.
std::vector<started_execution> resume_all(engine& engine,
                                          std::vector<resumable_execution> executions,
                                          execution_observer observer);

// {"msg":"execution not resumed","executionId","workspaceId","error","code"}
std::string describe(const unresumable_execution& failed);

} // namespace baley::actors
