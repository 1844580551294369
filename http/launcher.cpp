// Launching executions; see launcher.hpp.
#include "http/launcher.hpp"

#include "runtime/flow/block_resolution.hpp"
#include "runtime/flow/flow_input.hpp"

namespace baley::http {

void execution_launcher::start_compiled(const launch_request& request,
                                        const block_versions& blocks,
                                        std::shared_ptr<const runtime::compiled_flow> flow,
                                        launch_continuation then) {
  auto id = p_.ids.next_id();
  if (!request.idempotency_key.empty())
    p_.idempotency.record(request.workspace_id, request.idempotency_key, id,
                          p_.engine.time()->now());
  p_.executions.on_started(id, [id, then = std::move(then)](const error* failed) {
    if (failed)
      return then(nullptr, failed);
    then(&id, nullptr);
  });
  auto started = p_.engine.start({.flow_id = request.flow_id,
                                  .flow_version = request.flow_version,
                                  .flow = std::move(flow),
                                  .input = request.input,
                                  .trigger = request.trigger,
                                  .workspace_id = request.workspace_id,
                                  .block_versions = blocks,
                                  .execution_id = id,
                                  .idempotency_key = request.idempotency_key,
                                  .observer = p_.observer});
  p_.executions.add(id, started.actor, request.workspace_id);
  p_.counters.execution_started();
}

void execution_launcher::launch(launch_request request, launch_continuation then) {
  // The flow runs its stored blocks at their latest versions; the execution
  // records them (execution_start.blockVersions).
  block_versions blocks = request.block_versions;
  const auto& catalog = p_.catalog.get();
  if (const auto* flow = catalog.flow(request.workspace_id, request.flow_id); blocks.empty() && flow)
    for (const auto& id : runtime::block_ids_in(flow->flow))
      if (const auto* block = catalog.block(request.workspace_id, id))
        blocks[id] = block->version;
  // The function-blocks that stored ai-blocks use as tools, at their latest.
  for (const auto& [id, version] : block_versions(blocks))
    if (const auto* block = catalog.block(request.workspace_id, id))
      for (const auto& tool_id : runtime::tool_block_ids_of(block->block))
        if (const auto* tool = catalog.block(request.workspace_id, tool_id))
          blocks.try_emplace(tool_id, tool->version);
  if (auto compiled = p_.engine.cached_flow(request.flow_id, request.flow_version, blocks)) {
    if (auto valid = runtime::validate_flow_input(*compiled, request.input); !valid)
      return then(nullptr, &valid.error());
    return start_compiled(request, blocks, std::move(compiled), std::move(then));
  }
  using loaded_flow = result<std::shared_ptr<const runtime::compiled_flow>>;
  // Built before the continuation takes `request` (argument order is unspecified).
  std::function<loaded_flow()> load = [&engine = p_.engine, flow_id = request.flow_id,
                                       version = request.flow_version, blocks] {
    return engine.load_flow(flow_id, version, blocks);
  };
  p_.async.on_reader_then<loaded_flow>(
    std::move(load),
    [this, request = std::move(request), blocks, then = std::move(then)](loaded_flow& loaded) {
      if (!loaded)
        return then(nullptr, &loaded.error());
      if (auto valid = runtime::validate_flow_input(**loaded, request.input); !valid)
        return then(nullptr, &valid.error());
      start_compiled(request, blocks, *loaded, then);
    });
}

} // namespace baley::http
