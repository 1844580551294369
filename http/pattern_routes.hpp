// Patterns (API.md, "Patterns"): a pattern is a config event on
// pattern/<id>, checked (its condition compiles, its block is an ai-block of
// the workspace) before it is appended; each saved version is handed to the
// pattern matcher, and POST and PUT answer once its scan over the block's
// existing decisions is recorded, with the stats it came to.
#pragma once

#include "actors/engine.hpp"
#include "actors/clock.hpp"
#include "http/auth.hpp"
#include "http/catalog_store.hpp"

namespace baley::http {

// What the matcher needs of a stored pattern (nothing when it does not read).
std::optional<actors::pattern_definition> definition_of(const runtime::pattern_record& p);

class pattern_routes {
public:
  struct parts {
    catalog_store& catalog;
    actors::engine& engine;
    api_async& async;
    actors::id_source& ids;
  };
  explicit pattern_routes(parts p) : p_(p) {}

  void create(const api_call_ptr& call, const authenticated& who);
  void list(const api_call_ptr& call, const authenticated& who);
  void get(const api_call_ptr& call, const authenticated& who);
  void update(const api_call_ptr& call, const authenticated& who);
  void remove(const api_call_ptr& call, const authenticated& who);
  void matches(const api_call_ptr& call, const authenticated& who);

private:
  void save_version(const api_call_ptr& call, const authenticated& who, std::string id,
                    std::uint64_t version, int status);

  parts p_;
};

} // namespace baley::http
