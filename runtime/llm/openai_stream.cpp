// Decoder for OpenAI-compatible chat completion streams (OpenAI, vLLM,
// llama.cpp server, Ollama's /v1): `data:` chunks of choices[0].delta, tool
// calls assembled by index, a usage chunk, then `data: [DONE]`.
#include "runtime/llm/sse_json_stream.hpp"

#include <boost/json/array.hpp>
#include <boost/json/value.hpp>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace baley::runtime {
namespace {

namespace json = boost::json;

struct pending_call {
  std::int64_t index = 0;
  tool_call call;
};

std::string string_at(const json::object& o, std::string_view key) {
  auto* v = o.if_contains(key);
  return v && v->is_string() ? std::string(v->get_string()) : std::string();
}

std::int64_t integer_at(const json::object& o, std::string_view key, std::int64_t fallback) {
  auto* v = o.if_contains(key);
  if (v && v->is_int64())
    return v->get_int64();
  if (v && v->is_uint64())
    return static_cast<std::int64_t>(v->get_uint64());
  return fallback;
}

const json::object* object_at(const json::object& o, std::string_view key) {
  auto* v = o.if_contains(key);
  return v && v->is_object() ? &v->get_object() : nullptr;
}

// The choice with index 0 (a request asks for one; `n` > 1 is not ours).
const json::object* first_choice(const json::object& chunk) {
  auto* choices = chunk.if_contains("choices");
  if (!choices || !choices->is_array())
    return nullptr;
  for (const auto& c : choices->get_array())
    if (c.is_object() && integer_at(c.get_object(), "index", 0) == 0)
      return &c.get_object();
  return nullptr;
}

bool retryable_status(std::int64_t code) {
  return code == 408 || code == 429 || (code >= 500 && code <= 599);
}

class openai_stream final : public sse_json_stream {
  void on_message(const sse_message& message) override {
    if (message.data == "[DONE]") {
      flush_calls();
      end(finish_reason_);
      return;
    }
    auto chunk = parse_object(message.data);
    if (!chunk)
      return;
    if (auto* e = chunk->if_contains("error")) {
      on_error(*e);
      return;
    }
    if (auto* choice = first_choice(*chunk))
      on_choice(*choice);
    if (auto* usage = object_at(*chunk, "usage"))
      emit(token_usage{integer_at(*usage, "prompt_tokens", 0),
                       integer_at(*usage, "completion_tokens", 0)});
  }

  // A cut after the choice finished lost at most the usage chunk and the
  // [DONE] that some compatible servers never send: the answer is whole.
  std::optional<std::string> on_body_end() override {
    if (finish_reason_.empty())
      return std::nullopt;
    return finish_reason_;
  }

  void on_choice(const json::object& choice) {
    if (auto* delta = object_at(choice, "delta")) {
      if (auto content = string_at(*delta, "content"); !content.empty())
        emit(text_delta{std::move(content)});
      if (auto* calls = delta->if_contains("tool_calls"); calls && calls->is_array())
        on_tool_call_deltas(calls->get_array());
    }
    if (auto reason = string_at(choice, "finish_reason"); !reason.empty()) {
      finish_reason_ = std::move(reason);
      flush_calls();
    }
  }

  // id and function.name come with a call's first delta, function.arguments
  // in fragments after it; a new id at a known index starts another call
  // (servers that number every call 0).
  void on_tool_call_deltas(const json::array& deltas) {
    for (std::size_t i = 0; i < deltas.size(); ++i) {
      if (!deltas[i].is_object())
        continue;
      const auto& d = deltas[i].get_object();
      const auto index = integer_at(d, "index", static_cast<std::int64_t>(i));
      auto id = string_at(d, "id");
      auto& call = call_at(index, id);
      if (!id.empty())
        call.id = std::move(id);
      if (auto* f = object_at(d, "function")) {
        if (call.name.empty())
          call.name = string_at(*f, "name");
        call.arguments += string_at(*f, "arguments");
      }
    }
  }

  tool_call& call_at(std::int64_t index, const std::string& id) {
    for (auto it = calls_.rbegin(); it != calls_.rend(); ++it)
      if (it->index == index) {
        if (id.empty() || it->call.id.empty() || it->call.id == id)
          return it->call;
        break;
      }
    calls_.push_back({index, {}});
    return calls_.back().call;
  }

  void flush_calls() {
    for (auto& pending : calls_) {
      if (pending.call.arguments.empty())
        pending.call.arguments = "{}";
      emit(std::move(pending.call));
    }
    calls_.clear();
  }

  // {"error": {"message", "type", "code"}}; llama.cpp and vLLM put an HTTP
  // status in `code`, OpenAI a string such as "rate_limit_exceeded".
  void on_error(const json::value& e) {
    if (!e.is_object()) {
      fail("error", e.is_string() ? std::string(e.get_string()) : "the provider reported an error",
           false);
      return;
    }
    const auto& o = e.get_object();
    auto type = string_at(o, "type");
    const auto code = string_at(o, "code");
    bool retryable = retryable_error_type(type) || retryable_error_type(code) ||
                     retryable_status(integer_at(o, "code", 0));
    if (type.empty())
      type = code.empty() ? "error" : code;
    fail(std::move(type), string_at(o, "message"), retryable);
  }

  std::string finish_reason_;
  std::vector<pending_call> calls_;
};

} // namespace

std::unique_ptr<llm_stream_decoder> make_openai_stream_decoder() {
  return std::make_unique<openai_stream>();
}

} // namespace baley::runtime
