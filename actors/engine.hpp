// The engine: the one object a front end (the CLI or the HTTP server) holds.
// It opens the log, runs the broker and the jq sandbox, saves and compiles
// flows, and starts executions (recovery.hpp resumes unfinished ones).
#pragma once

#include "actors/breaker_board.hpp"
#include "actors/execution_actor.hpp"
#include "actors/llm_transport.hpp"
#include "actors/usage_meter.hpp"
#include "runtime/flow/block_resolution.hpp"
#include "runtime/jq/jq_program.hpp"

#include <caf/actor_system.hpp>

#include <map>
#include <memory>
#include <mutex>

namespace baley::actors {

struct engine_options {
  std::string data_dir;
  storage::durability mode = storage::durability::fsync;
  bool debug = false;  // provider errors carry the raw response body
  // Prices per model (USD per 1M tokens) over the built-in list prices.
  std::optional<runtime::price_table> prices;
  // The jq sandbox: worker processes, their memory and default time budget.
  sandbox::jq_pool_options jq;
  // Time for every actor's decisions, and how other threads' answers reach
  // actors: the wall clock and direct sends, unless a test drives both.
  std::shared_ptr<const clock> time = wall_clock();
  std::shared_ptr<delivery> via = std::make_shared<direct_delivery>();
};

// The worker command of this binary: `/proc/self/exe jq-worker`.
std::vector<std::string> own_jq_worker_command();

struct started_execution {
  std::string execution_id;
  execution_actor actor;
  std::string workspace_id;
};

// What starts a new execution of a saved flow version.
struct start_request {
  std::string flow_id;
  std::uint64_t flow_version = 0;
  std::shared_ptr<const runtime::compiled_flow> flow;
  boost::json::value input;
  runtime::trigger trigger;
  std::string workspace_id;  // empty for `baley run`
  // Stored blocks the flow uses, at the versions this execution runs.
  std::map<std::string, std::uint64_t> block_versions;
  std::string execution_id;  // empty: a new id
  // The request's Idempotency-Key, recorded on execution_start; empty: none.
  std::string idempotency_key;
  // Told (started_atom) once execution_start is durable and (finished_atom)
  // at the end; may be null.
  execution_observer observer;
};

// An execution's state, folded from its stream ("corrupt_log" names the
// event that does not parse).
result<runtime::execution_state> fold_execution(const storage::event_log& log,
                                                const std::string& execution_id);

class engine {
public:
  static result<std::unique_ptr<engine>> open(caf::actor_system& system,
                                              const engine_options& options);
  ~engine();

  broker_actor broker() const { return broker_; }
  const std::shared_ptr<const clock>& time() const { return time_; }
  const std::shared_ptr<delivery>& via() const { return via_; }
  storage::event_log& log() { return *log_; }
  runtime::jq_cache& programs() { return programs_; }
  // The LLM connections ai-blocks may use; the server keeps it current.
  connection_directory& connections() { return *connections_; }
  // The circuit breakers of every (connection, model).
  const breaker_board& breakers() const { return *breakers_; }
  const usage_meter& usage() const { return *usage_; }
  // The jq sandbox every execution evaluates its jq in.
  const sandbox::jq_pool& jq() const { return *jq_; }
  // Matches decisions against patterns once the server starts it.
  pattern_matcher& patterns() { return *patterns_; }
  // For the flow compiler: does this connection exist?
  runtime::connection_check connection_check() const;

  // Appends version `version` of a flow to stream flow/<id> (1 for a new flow),
  // as a flow_saved config event; `baley run` saves without a workspace.
  status save_flow(const std::string& flow_id, std::uint64_t version,
                   const boost::json::value& flow, const std::string& workspace_id = "");

  // Stored blocks the flow uses, by id, at the versions to run.
  using block_versions = std::map<std::string, std::uint64_t>;

  // The compiled flow of a saved version with its stored blocks at the given
  // versions (read from their streams), compiled once and cached.
  result<std::shared_ptr<const runtime::compiled_flow>>
  load_flow(const std::string& flow_id, std::uint64_t version, const block_versions& blocks = {});

  // The compiled flow if it is compiled already, else null.
  std::shared_ptr<const runtime::compiled_flow>
  cached_flow(const std::string& flow_id, std::uint64_t version,
              const block_versions& blocks = {});
  void remember_flow(const std::string& flow_id, std::uint64_t version,
                     std::shared_ptr<const runtime::compiled_flow> flow,
                     const block_versions& blocks = {});

  // Spawns an execution actor that writes execution_start and runs the flow.
  started_execution start(start_request request);

  // Spawns the actor of an execution prepared elsewhere (recovery), with the
  // engine's shared parts.
  started_execution spawn(execution_setup setup);

  // Stops the broker and closes the log (after the in-flight batch).
  void shutdown();

  std::string new_id();

private:
  engine(caf::actor_system& system, std::shared_ptr<storage::event_log> log,
         const engine_options& options);

  caf::actor_system& system_;
  std::shared_ptr<storage::event_log> log_;
  std::shared_ptr<const clock> time_;
  std::shared_ptr<delivery> via_;
  broker_actor broker_;
  runtime::jq_cache programs_;
  std::shared_ptr<connection_directory> connections_ = std::make_shared<connection_directory>();
  std::shared_ptr<llm_transport> transport_ = std::make_shared<llm_transport>();
  std::shared_ptr<breaker_board> breakers_;
  std::shared_ptr<usage_meter> usage_ = std::make_shared<usage_meter>();
  std::shared_ptr<sandbox::jq_pool> jq_;
  std::shared_ptr<pattern_matcher> patterns_;
  bool debug_ = false;
  std::shared_ptr<const runtime::price_table> prices_ =
    std::make_shared<const runtime::price_table>(runtime::price_table::defaults());
  std::mutex mutex_;  // guards flows_ and ids_
  id_source ids_;
  // By runtime::compiled_flow_key (flow, version and block versions).
  std::map<std::string, std::shared_ptr<const runtime::compiled_flow>> flows_;
};

} // namespace baley::actors
