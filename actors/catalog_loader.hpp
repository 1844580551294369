// The catalog at start-up: folded from the config streams of the log
// (workspaces, tokens, flows, blocks, connections, webhooks), and the LLM
// connections it lists put into the engine's directory with their API keys
// unsealed. The server and `baley resume` both start this way, so both
// compile the same flows.
#pragma once

#include "actors/connection_directory.hpp"
#include "runtime/catalog/catalog.hpp"
#include "storage/event_log.hpp"
#include "storage/secret_box.hpp"

namespace baley::actors {

// "corrupt_log" names the event that does not parse.
result<runtime::catalog> load_catalog(const storage::event_log& log);

// Every connection of `catalog` into `directory`; an error names the one
// whose key the master key cannot open.
status load_connections(const runtime::catalog& catalog, const storage::secret_box& secrets,
                        connection_directory& directory);

} // namespace baley::actors
