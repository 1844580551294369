// The catalog (workspaces, tokens, flows, blocks, connections, webhooks) and
// its one writer, the API actor: a change is a config event appended to its
// resource's stream; the catalog folds it once committed, never before, and
// then the caller continues.
#pragma once

#include "actors/clock.hpp"
#include "http/api_async.hpp"
#include "runtime/catalog/catalog.hpp"

#include <functional>
#include <memory>

namespace baley::http {

class catalog_store {
public:
  catalog_store(runtime::catalog catalog, api_async& async,
                std::shared_ptr<const actors::clock> time)
    : catalog_(std::move(catalog)), async_(async), time_(std::move(time)) {}

  const runtime::catalog& get() const { return catalog_; }

  // Appends `payload` (stamped now) to `stream`, with the projection puts
  // that go with it; `then` gets the log's error, or null once the catalog
  // holds the change. A version that another request saved first (two PUTs
  // at once) is "conflict" (409), and nothing is written.
  void save(std::string stream, runtime::config_event_payload payload,
            std::function<void(const error*)> then,
            std::vector<storage::projection_put> projections = {});

private:
  runtime::catalog catalog_;
  api_async& async_;
  std::shared_ptr<const actors::clock> time_;
};

} // namespace baley::http
