// First-start bootstrap; see bootstrap.hpp.
#include "http/bootstrap.hpp"

#include "http/auth.hpp"
#include "http/credentials.hpp"
#include "os/private_file.hpp"
#include "runtime/stream_names.hpp"

#include <filesystem>

namespace baley::http {

result<std::string> bootstrap(actors::engine& engine, runtime::catalog& catalog,
                              const std::string& data_dir) {
  auto secret = new_token_secret();
  if (!secret)
    return secret.error();
  auto path = (std::filesystem::path(data_dir) / "admin-token").string();
  std::string problem;
  if (os::publish_private_file(path, *secret + "\n", os::publish_mode::replace, problem)
      == os::publish_outcome::failed)
    return error{"io_error", problem, {}};
  auto now = engine.time()->now();
  auto workspace_id = engine.new_id();
  std::vector<runtime::config_event> events = {
    {now, runtime::workspace_created{workspace_id, "default"}},
    {now, runtime::token_created{.token_id = engine.new_id(),
                                 .workspace_id = workspace_id,
                                 .name = "admin",
                                 .token_hash = sha256_hex(*secret),
                                 .role = runtime::token_role::admin}},
  };
  storage::append_request request{.stream = names::workspace_stream(workspace_id),
                                  .expected_next = stream_index{0}};
  for (const auto& e : events)
    request.events.push_back(runtime::serialize_config_event(e));
  auto committed = engine.log().append(std::move(request));
  if (!committed)
    return committed.error();
  for (const auto& e : events)
    catalog.apply(e);
  return *secret;
}

} // namespace baley::http
