// Sessions, tokens and workspaces (API.md, "Session and tokens"). Secrets are
// shown once and stored only as SHA-256.
#pragma once

#include "http/auth.hpp"
#include "http/catalog_store.hpp"

namespace baley::http {

class auth_routes {
public:
  auth_routes(catalog_store& catalog, actors::id_source& ids) : catalog_(catalog), ids_(ids) {}

  // The token in the body is the credential: no `who`.
  void session_create(const api_call_ptr& call);
  void session_delete(const api_call_ptr& call, const authenticated& who);
  void token_create(const api_call_ptr& call, const authenticated& who);
  void token_delete(const api_call_ptr& call, const authenticated& who);
  void workspace_create(const api_call_ptr& call, const authenticated& who);
  void workspace_current(const api_call_ptr& call, const authenticated& who);

private:
  using token_made = std::function<void(const std::string& id, const std::string& secret)>;
  void create_token(const api_call_ptr& call, const std::string& workspace_id, std::string name,
                    runtime::token_role role, token_made then);
  void revoke(const api_call_ptr& call, const std::string& workspace_id,
              const std::string& token_id, std::function<void()> then);

  catalog_store& catalog_;
  actors::id_source& ids_;
};

} // namespace baley::http
