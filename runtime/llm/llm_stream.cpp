// The stream decoder for a wire format: each lives in its own file
// (openai_stream.cpp, anthropic_stream.cpp) over sse_json_stream.
#include "runtime/llm/llm_stream.hpp"

#include "runtime/llm/sse_json_stream.hpp"

namespace baley::runtime {

std::unique_ptr<llm_stream_decoder> make_stream_decoder(llm_wire wire) {
  switch (wire) {
  case llm_wire::openai:
    return make_openai_stream_decoder();
  case llm_wire::anthropic:
    return make_anthropic_stream_decoder();
  }
  return nullptr;  // unreachable: every wire is a case above
}

} // namespace baley::runtime
