// The HTTP providers: `openai` (and OpenAI-compatible `ollama`) and
// `anthropic`, streamed through the shared libcurl transport and decoded as
// the bytes arrive. However the actor ends (a cancel, a shutdown), its
// transfer is aborted.
#pragma once

#include "actors/ai_attempt.hpp"

namespace baley::actors {

using http_provider_actor = caf::typed_actor<
  caf::reacts_to<http_status_atom, long>,
  caf::reacts_to<http_data_atom, std::string>,
  caf::reacts_to<http_done_atom, transfer_result>,
  caf::reacts_to<jq_done_atom, std::uint64_t, sandbox::jq_reply>>;

// `via` brings the transport's callbacks (its own thread) to the actor.
http_provider_actor spawn_http_provider(caf::local_actor* spawner, ai_attempt attempt,
                                        std::shared_ptr<delivery> via);

} // namespace baley::actors
