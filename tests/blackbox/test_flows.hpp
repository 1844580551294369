// Flows the HTTP tests start, as JSON text in the editor's format.
#pragma once

#include <string>

namespace baley::testing {

// in -> out: the output is the input.
inline std::string passthrough_flow(const std::string& name = "passthrough") {
  return R"({"name":")" + name + R"(","nodes":[{"id":"in","type":"source","data":{}},
    {"id":"out","type":"sink","data":{}}],
    "edges":[{"id":"e1","source":"in","target":"out"}]})";
}

// in -> double -> out: {n} becomes {n: n*2}; fails when n is not a number.
inline std::string doubling_flow(const std::string& name = "double") {
  return R"({"name":")" + name + R"(","nodes":[{"id":"in","type":"source","data":{}},
    {"id":"double","type":"function-block","data":{"code":"{n: (.n * 2)}"}},
    {"id":"out","type":"sink","data":{}}],
    "edges":[{"id":"e1","source":"in","target":"double"},
             {"id":"e2","source":"double","target":"out"}]})";
}

// in -> first -> wait (delay ms) -> second -> out, like the recovery test:
// {n} gives {n: (n+1)*10}.
inline std::string delay_flow(int ms, const std::string& name = "wait") {
  return R"({"name":")" + name + R"(","nodes":[{"id":"in","type":"source","data":{}},
    {"id":"first","type":"function-block","data":{"code":"{n: ((.n // 0) + 1)}"}},
    {"id":"wait","type":"delay","data":{"ms":)" + std::to_string(ms) + R"(}},
    {"id":"second","type":"function-block","data":{"code":"{n: (.n * 10)}"}},
    {"id":"out","type":"sink","data":{}}],
    "edges":[{"id":"e1","source":"in","target":"first"},
             {"id":"e2","source":"first","target":"wait"},
             {"id":"e3","source":"wait","target":"second"},
             {"id":"e4","source":"second","target":"out"}]})";
}

// Three delays of `ms` in a row, so that a stream of it mixes events already
// in the log with live ones at many points: 12 events.
inline std::string stepped_flow(int ms, const std::string& name = "steps") {
  auto d = std::to_string(ms);
  return R"({"name":")" + name + R"(","nodes":[{"id":"in","type":"source","data":{}},
    {"id":"d1","type":"delay","data":{"ms":)" + d + R"(}},
    {"id":"d2","type":"delay","data":{"ms":)" + d + R"(}},
    {"id":"d3","type":"delay","data":{"ms":)" + d + R"(}},
    {"id":"out","type":"sink","data":{}}],
    "edges":[{"id":"e1","source":"in","target":"d1"},{"id":"e2","source":"d1","target":"d2"},
             {"id":"e3","source":"d2","target":"d3"},{"id":"e4","source":"d3","target":"out"}]})";
}

// A loop over `items` generated strings of `pad` bytes, each iteration
// answering its length: many events and many bytes (each iteration's
// node_start carries its item) from a tiny request, while no single event
// grows large.
inline std::string loud_flow(int items, int pad) {
  return R"({"name":"loud","nodes":[{"id":"in","type":"source","data":{}},
    {"id":"each","type":"loop","data":{"over":"[range(0; )" + std::to_string(items) +
         R"() | \"x\" * )" + std::to_string(pad) + R"(]","maxIterations":)" +
         std::to_string(items + 1) + R"(,"concurrency":8,
      "body":{"type":"function-block","code":"length"}}},
    {"id":"out","type":"sink","data":{"inputMapping":"length"}}],
    "edges":[{"id":"e1","source":"in","target":"each"},{"id":"e2","source":"each","target":"out"}]})";
}

// in -> f -> out where f is the jq program `code` (a JSON string's content:
// quotes escaped), with data.timeoutMs when `timeout_ms` is set.
inline std::string jq_flow(const std::string& code, long timeout_ms = 0,
                           const std::string& name = "jq") {
  auto timeout = timeout_ms ? R"(,"timeoutMs":)" + std::to_string(timeout_ms) : std::string();
  return R"({"name":")" + name + R"(","nodes":[{"id":"in","type":"source","data":{}},
    {"id":"f","type":"function-block","data":{"code":")" + code + "\"" + timeout + R"(}},
    {"id":"out","type":"sink","data":{}}],
    "edges":[{"id":"e1","source":"in","target":"f"},{"id":"e2","source":"f","target":"out"}]})";
}

} // namespace baley::testing
