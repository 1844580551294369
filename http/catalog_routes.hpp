// Flows, blocks and connections (API.md, "Flows and blocks"): every change is
// a config event on the resource's stream, checked first (a flow compiled,
// a block's jq compiled, on a reader); reads come from the catalog.
#pragma once

#include "actors/engine.hpp"
#include "http/auth.hpp"
#include "http/catalog_store.hpp"
#include "storage/secret_box.hpp"

namespace baley::http {

class catalog_routes {
public:
  struct parts {
    catalog_store& catalog;
    actors::engine& engine;
    api_async& async;
    const storage::secret_box& secrets;
    actors::id_source& ids;
  };
  explicit catalog_routes(parts p) : p_(p) {}

  void flow_create(const api_call_ptr& call, const authenticated& who);
  void flow_list(const api_call_ptr& call, const authenticated& who);
  void flow_get(const api_call_ptr& call, const authenticated& who);
  void flow_update(const api_call_ptr& call, const authenticated& who);
  void flow_delete(const api_call_ptr& call, const authenticated& who);
  void block_create(const api_call_ptr& call, const authenticated& who);
  void block_list(const api_call_ptr& call, const authenticated& who);
  void block_get(const api_call_ptr& call, const authenticated& who);
  void block_update(const api_call_ptr& call, const authenticated& who);
  void block_delete(const api_call_ptr& call, const authenticated& who);
  void connection_create(const api_call_ptr& call, const authenticated& who);
  void connection_list(const api_call_ptr& call, const authenticated& who);
  void connection_get(const api_call_ptr& call, const authenticated& who);
  void connection_delete(const api_call_ptr& call, const authenticated& who);

private:
  void save_flow_version(const api_call_ptr& call, const std::string& ws, std::string flow_id,
                         std::uint64_t version, boost::json::object flow, int status);
  void save_block_version(const api_call_ptr& call, const std::string& ws, std::string block_id,
                          std::uint64_t version, int status);
  // Saves a deletion and answers 204.
  void save_deletion(const api_call_ptr& call, std::string stream,
                     runtime::config_event_payload deleted, std::function<void()> after = {});

  parts p_;
};

} // namespace baley::http
