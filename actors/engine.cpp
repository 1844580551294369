// The engine facade; see engine.hpp.
#include "actors/engine.hpp"

#include "actors/broker.hpp"
#include "actors/clock.hpp"
#include "runtime/catalog/config_events.hpp"
#include "runtime/execution/test_run.hpp"
#include "runtime/stream_names.hpp"
#include "storage/insight_projector.hpp"
#include "storage/projections.hpp"
#include "storage/saved_version.hpp"

#include <caf/all.hpp>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

namespace baley::actors {
using std::to_string;  // and named_type's, found by ADL
namespace json = boost::json;

result<runtime::execution_state> fold_execution(const storage::event_log& log,
                                                const std::string& execution_id) {
  auto events = log.read_stream(names::execution_stream(execution_id), stream_index{0});
  if (!events)
    return events.error();
  runtime::execution_state state;
  for (const auto& committed : *events) {
    auto event = runtime::parse_event(storage::event_bytes(committed.record));
    if (!event)
      return error{"corrupt_log", "execution " + execution_id + " event "
                                    + to_string(committed.index) + ": "
                                    + event.error().message, {}};
    runtime::apply(state, *event);
  }
  return state;
}

engine::engine(caf::actor_system& system, std::shared_ptr<storage::event_log> log,
               const engine_options& options)
  : system_(system), log_(std::move(log)), time_(options.time), via_(options.via),
    ids_(options.time) {
  breakers_ = std::make_shared<breaker_board>(*log_);
  broker_ = spawn_broker(system_);
  connect_log_to_broker(*log_, broker_, via_);
}

engine::~engine() {
  shutdown();
}

result<std::unique_ptr<engine>> engine::open(caf::actor_system& system,
                                             const engine_options& options) {
  auto log = storage::event_log::open({options.data_dir, options.mode});
  if (!log)
    return log.error();
  std::shared_ptr<storage::event_log> shared(std::move(log).value());
  shared->set_projector(storage::make_insight_projector());
  auto opened = std::unique_ptr<engine>(new engine(system, std::move(shared), options));
  opened->debug_ = options.debug;
  auto jq = options.jq;
  if (jq.worker_command.empty())
    jq.worker_command = own_jq_worker_command();
  opened->jq_ = std::make_shared<sandbox::jq_pool>(std::move(jq));
  opened->patterns_ = std::make_shared<pattern_matcher>(
    pattern_matcher::options{.log = opened->log_, .jq = opened->jq_, .time = options.time});
  if (options.prices)
    opened->prices_ = std::make_shared<const runtime::price_table>(*options.prices);
  return opened;
}

std::vector<std::string> own_jq_worker_command() {
  // The running binary itself, even if its file was replaced meanwhile.
  return {"/proc/self/exe", "jq-worker"};
}

std::string engine::new_id() {
  std::lock_guard guard(mutex_);
  return ids_.next_id();
}

status engine::save_flow(const std::string& flow_id, std::uint64_t version,
                         const json::value& flow, const std::string& workspace_id) {
  storage::append_request request;
  request.stream = names::flow_stream(flow_id);
  request.expected_next = stream_index{version - 1};
  request.events.push_back(runtime::serialize_config_event(
    {time_->now(), runtime::flow_saved{flow_id, workspace_id, version, flow}}));
  auto committed = log_->append(std::move(request));
  if (!committed)
    return committed.error();
  return ok;
}

result<std::shared_ptr<const runtime::compiled_flow>>
engine::load_flow(const std::string& flow_id, std::uint64_t version,
                  const block_versions& blocks) {
  if (auto cached = cached_flow(flow_id, version, blocks))
    return cached;
  // A test run's flow is made from the tested block at `version`.
  boost::json::value definition;
  if (auto tested = runtime::tested_block_of(flow_id)) {
    auto block = storage::read_saved_version<runtime::block_saved>(
      *log_, names::block_stream(*tested), version);
    if (!block)
      return block.error();
    definition = runtime::block_test_flow(*tested, block->block);
  } else {
    auto saved = storage::read_saved_version<runtime::flow_saved>(
      *log_, names::flow_stream(flow_id), version);
    if (!saved)
      return saved.error();
    definition = std::move(saved->flow);
  }
  auto resolved = runtime::resolve_blocks(
    definition, [&](const std::string& id) -> std::optional<runtime::stored_block> {
      auto at = blocks.find(id);
      if (at == blocks.end())
        return std::nullopt;
      auto block = storage::read_saved_version<runtime::block_saved>(
        *log_, names::block_stream(id), at->second);
      if (!block)
        return std::nullopt;
      return runtime::stored_block{block->version, block->block};
    });
  auto compiled = runtime::compile_flow(resolved.flow, programs_, connection_check());
  if (!compiled.flow)
    return error{"invalid_flow", "stored flow " + flow_id + " no longer compiles: "
                                   + compiled.problems.front().message, {}};
  remember_flow(flow_id, version, compiled.flow, blocks);
  return compiled.flow;
}

runtime::connection_check engine::connection_check() const {
  return [connections = connections_](const std::string& id) { return connections->contains(id); };
}

std::shared_ptr<const runtime::compiled_flow>
engine::cached_flow(const std::string& flow_id, std::uint64_t version,
                    const block_versions& blocks) {
  std::lock_guard<std::mutex> guard(mutex_);
  auto it = flows_.find(runtime::compiled_flow_key(flow_id, version, blocks));
  return it == flows_.end() ? nullptr : it->second;
}

void engine::remember_flow(const std::string& flow_id, std::uint64_t version,
                           std::shared_ptr<const runtime::compiled_flow> flow,
                           const block_versions& blocks) {
  std::lock_guard<std::mutex> guard(mutex_);
  flows_[runtime::compiled_flow_key(flow_id, version, blocks)] = std::move(flow);
}

started_execution engine::start(start_request request) {
  remember_flow(request.flow_id, request.flow_version, request.flow, request.block_versions);
  execution_setup setup;
  setup.execution_id = request.execution_id.empty() ? new_id() : std::move(request.execution_id);
  setup.flow = std::move(request.flow);
  setup.start = runtime::execution_start{
    .input = std::move(request.input),
    .flow_id = std::move(request.flow_id),
    .flow_version = request.flow_version,
    .triggered_by = std::string(runtime::trigger_kind_name(request.trigger.kind)),
    .trigger = std::move(request.trigger),
    .workspace_id = std::move(request.workspace_id),
    .block_versions = std::move(request.block_versions),
    .idempotency_key = std::move(request.idempotency_key)};

  setup.observer = std::move(request.observer);
  return spawn(std::move(setup));
}

// Every execution gets the engine's shared parts: the log, connections,
// prices, the HTTP transport, the circuit breakers and the jq sandbox.
started_execution engine::spawn(execution_setup setup) {
  setup.log = log_;
  setup.connections = connections_;
  setup.prices = prices_;
  setup.transport = transport_;
  setup.breakers = breakers_;
  setup.usage = usage_;
  setup.jq = jq_;
  setup.patterns = patterns_;
  setup.debug = debug_;
  setup.time = time_;
  setup.via = via_;
  auto id = setup.execution_id;
  auto workspace_id = setup.start ? setup.start->workspace_id : setup.state.workspace_id;
  auto actor = spawn_execution(system_, std::move(setup));
  return {std::move(id), std::move(actor), std::move(workspace_id)};
}

void engine::shutdown() {
  if (patterns_)
    patterns_->stop();  // its thread ends before the log closes under it
  if (broker_) {
    caf::anon_send_exit(broker_, caf::exit_reason::user_shutdown);
    broker_ = broker_actor{};
  }
  if (log_)
    log_->close();
}

} // namespace baley::actors
