// The built-in `simulated` provider, so that the demo and the tests run
// offline: the reply is the prompt's user message echoed back (with
// outputSchema, the input itself as JSON), streamed word by word every
// tokenDelayMs ("simulated://?tokenDelayMs=5", default 20) and counted a
// token per word. A model whose name starts with "fail" fails every attempt
// with a retryable error, so that retries and fallbacks show without a
// network. With tools the server runs, the first call asks the first tool
// (the input as its arguments) and the reply tells what it returned.
#pragma once

#include "actors/ai_attempt.hpp"

namespace baley::actors {

using simulated_provider_actor =
  caf::typed_actor<caf::reacts_to<token_atom>,
                   caf::reacts_to<jq_done_atom, std::uint64_t, sandbox::jq_reply>>;

simulated_provider_actor spawn_simulated_provider(caf::local_actor* spawner,
                                                  ai_attempt attempt);

// Words of `text` split after each space ("a b" -> "a ", "b"): the pieces the
// simulated reply streams in.
std::vector<std::string> words_of(std::string_view text);
// Words separated by spaces, newlines or tabs: the simulated token count.
std::int64_t count_words(std::string_view text);

} // namespace baley::actors
