// Start-up catalog and connections; see catalog_loader.hpp.
#include "actors/catalog_loader.hpp"

#include "runtime/catalog/config_events.hpp"
#include "runtime/stream_names.hpp"

namespace baley::actors {
using std::to_string;  // and named_type's, found by ADL

result<runtime::catalog> load_catalog(const storage::event_log& log) {
  runtime::catalog catalog;
  std::optional<error> failure;
  for (auto prefix : {names::workspace_stream_prefix, names::flow_stream_prefix,
                      names::block_stream_prefix, names::connection_stream_prefix,
                      names::webhook_stream_prefix, names::pattern_stream_prefix}) {
    auto scanned = log.scan_streams(prefix, [&](const storage::committed_event& e) {
      if (failure)
        return;
      auto event = runtime::parse_config_event(storage::event_bytes(e.record));
      if (!event)
        failure = error{"corrupt_log", e.stream + " event " + to_string(e.index) + ": "
                                         + event.error().message, {}};
      else
        catalog.apply(*event);
    });
    if (!scanned)
      return scanned.error();
    if (failure)
      return *failure;
  }
  return catalog;
}

status load_connections(const runtime::catalog& catalog, const storage::secret_box& secrets,
                        connection_directory& directory) {
  for (const auto* c : catalog.all_connections()) {
    std::string key;
    if (!c->api_key_sealed.empty()) {
      auto opened = secrets.unseal(c->api_key_sealed);
      if (!opened)
        return error{opened.error().code, "the API key of connection " + c->id
                                            + " cannot be read with this master key", {}};
      key = std::move(opened).value();
    }
    auto kind = runtime::provider_kind_from_name(c->type);
    if (!kind)
      return error{"corrupt_log", "connection " + c->id + " has an unknown type '" + c->type
                                    + "'", {}};
    directory.put({.id = c->id,
                   .workspace_id = c->workspace_id,
                   .name = c->name,
                   .kind = *kind,
                   .base_url = c->base_url,
                   .api_key = std::move(key)});
  }
  return ok;
}

} // namespace baley::actors
