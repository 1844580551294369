// Block testing (API.md, "Block testing"): a test run is launched like any
// execution of the flow "test:<blockId>" at the block's version, with trigger
// `test`; its row in the test_runs projection is written with its start and
// its end, and read back for the history and for fromTestRunId.
#pragma once

#include "actors/engine.hpp"
#include "http/auth.hpp"
#include "http/catalog_store.hpp"
#include "http/execution_routes.hpp"
#include "http/launcher.hpp"

namespace baley::http {

class block_test_routes {
public:
  struct parts {
    catalog_store& catalog;
    actors::engine& engine;
    api_async& async;
    execution_launcher& launcher;
    execution_routes& executions;
  };
  explicit block_test_routes(parts p) : p_(p) {}

  void test(const api_call_ptr& call, const authenticated& who);
  void list(const api_call_ptr& call, const authenticated& who);
  void get(const api_call_ptr& call, const authenticated& who);

private:
  void launch(const api_call_ptr& call, const authenticated& who, std::uint64_t version,
              boost::json::value input, std::optional<double> wait);

  parts p_;
};

} // namespace baley::http
