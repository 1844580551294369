// The ai-block node actor: one attempt of an ai-block on its connection's
// provider. The built-in `simulated` provider streams a deterministic reply
// (simulated_provider.cpp); `openai`, `ollama` and `anthropic` stream over
// HTTP through the shared transport (http_provider.cpp). Both share the
// attempt's bookkeeping (ai_attempt.hpp).
#pragma once

#include "actors/ai_attempt.hpp"

namespace baley::actors {

// Spawns, monitored by `spawner`, the actor of this attempt: the provider of
// its connection, or one that reports at once why there is none (the
// connection was deleted; an HTTP provider in a process without transport).
caf::actor_addr spawn_ai_node(caf::local_actor* spawner, ai_task job, node_context context);

} // namespace baley::actors
