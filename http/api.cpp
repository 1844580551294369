// Starting the API: the catalog folded, the first start bootstrapped, the
// connections unsealed, the idempotency keys loaded and recovery prepared, all
// on the caller's thread before the server listens; then the API actor.
#include "http/api.hpp"

#include "actors/catalog_loader.hpp"
#include "http/api_sink.hpp"
#include "http/bootstrap.hpp"

#include <caf/all.hpp>

namespace baley::http {

result<api_handle> start_api(caf::actor_system& system, actors::engine& engine,
                             metrics& counters, const api_options& options) {
  auto secrets = storage::secret_box::open(options.data_dir);
  if (!secrets)
    return secrets.error();
  auto catalog = actors::load_catalog(engine.log());
  if (!catalog)
    return catalog.error();
  api_handle handle;
  if (catalog->empty()) {
    auto token = bootstrap(engine, *catalog, options.data_dir);
    if (!token)
      return token.error();
    handle.admin_token = *token;
  }
  // The connections ai-blocks use, with their keys unsealed into memory.
  if (auto loaded = actors::load_connections(*catalog, *secrets, engine.connections()); !loaded)
    return loaded.error();
  auto keys = idempotency_index::load(engine.log(), engine.time()->now());
  if (!keys)
    return keys.error();
  auto recovery = actors::plan_recovery(engine);
  if (!recovery)
    return recovery.error();
  handle.resumed = recovery->resumable.size();
  handle.not_resumed = std::move(recovery->failed);
  auto init = std::make_shared<api_init>(
    api_init{.engine = engine,
             .counters = counters,
             .secrets = std::move(secrets).value(),
             .catalog = std::move(catalog).value(),
             .idempotency = std::move(keys).value(),
             .resumable = std::move(recovery->resumable),
             .readers = static_cast<std::size_t>(std::max(1, options.readers))});
  handle.actor = spawn_api(system, std::move(init));
  handle.sink = std::make_unique<api_sink>(handle.actor, counters);
  return handle;
}

void stop_api(api_handle& handle) {
  if (handle.actor)
    caf::anon_send_exit(handle.actor, caf::exit_reason::user_shutdown);
}

} // namespace baley::http
