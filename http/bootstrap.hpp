// First start: on an empty log, workspace `default` and its admin token,
// committed together; the token is shown once (returned) and written to
// DATA/admin-token (0600, atomically) for `make run` and scripts.
#pragma once

#include "actors/engine.hpp"
#include "runtime/catalog/catalog.hpp"

#include <string>

namespace baley::http {

// Appends the workspace and its admin token, folds them into `catalog`, and
// returns the token's secret.
result<std::string> bootstrap(actors::engine& engine, runtime::catalog& catalog,
                              const std::string& data_dir);

} // namespace baley::http
