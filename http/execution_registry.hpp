// The executions this server runs now, and what waits on them: the requests
// held by ?wait= until the end, the cancels waiting for execution_cancelled,
// and each launch waiting for its execution_start to be durable (nobody
// hears of an execution before that: an acknowledged one is never lost).
// Bookkeeping only, owned by the API actor.
#pragma once

#include "actors/protocols.hpp"
#include "http/api_call.hpp"

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace baley::http {

class execution_registry {
public:
  struct live_execution {
    actors::execution_actor actor;
    std::string workspace_id;
  };

  void add(const std::string& id, actors::execution_actor actor, std::string workspace_id);
  const live_execution* find(const std::string& id) const;

  // A launch continues once execution_start is durable (error null), or
  // with the error when the execution stopped before.
  using start_continuation = std::function<void(const error*)>;
  void on_started(const std::string& id, start_continuation then);
  // Takes the continuation of `id`'s launch, if one waits.
  std::optional<start_continuation> take_start(const std::string& id);

  // A ?wait= request, until the end (take_waiting) or its timer (drop_wait:
  // true when it was still waiting).
  void wait(const std::string& id, api_call_ptr call);
  bool drop_wait(const std::string& id, const api_call_ptr& call);
  // A cancel, answered once the execution ended.
  void cancelling(const std::string& id, api_call_ptr call);

  // The execution ended: it is no longer live; who waited on it.
  struct ended {
    std::vector<api_call_ptr> waiting;
    std::vector<api_call_ptr> cancelling;
    std::optional<start_continuation> starting;
  };
  ended finish(const std::string& id);

  // Every live execution (to stop them at shutdown); none is live after.
  // Waiters and start continuations stay: the actor is stopping with them.
  std::vector<actors::execution_actor> take_all();

private:
  std::map<std::string, live_execution> live_;
  std::map<std::string, std::vector<api_call_ptr>> waiting_;
  std::map<std::string, std::vector<api_call_ptr>> cancelling_;
  std::map<std::string, start_continuation> starting_;
};

} // namespace baley::http
