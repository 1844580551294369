// The atoms and message types of the HTTP layer's actors (the API actor, the
// SSE feeds), in a CAF type-ID block after the actors' own.
#pragma once

#include "actors/type_ids.hpp"
#include "http/api_call.hpp"
#include "http/execution_changes.hpp"

CAF_BEGIN_TYPE_ID_BLOCK(baley_http, caf::id_block::baley_actors::end)

  CAF_ADD_ATOM(baley_http, baley::http, api_atom, "api")
  CAF_ADD_ATOM(baley_http, baley::http, resume_atom, "resume")
  CAF_ADD_ATOM(baley_http, baley::http, wait_over_atom, "waitover")
  CAF_ADD_ATOM(baley_http, baley::http, closed_atom, "closed")
  CAF_ADD_ATOM(baley_http, baley::http, drained_atom, "drained")
  CAF_ADD_ATOM(baley_http, baley::http, change_atom, "change")

  CAF_ADD_TYPE_ID(baley_http, (baley::http::api_call_ptr))
  CAF_ADD_TYPE_ID(baley_http, (baley::http::execution_change_ptr))

CAF_END_TYPE_ID_BLOCK(baley_http)
