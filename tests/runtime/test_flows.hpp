// Small builders for flow JSON in the editor's format, shared by the flow
// compiler, input merge, planner and loop tests: node("a", "sink"),
// edge("a", "b"); and picking events of one type out of a log.
#pragma once

#include "runtime/execution/events.hpp"
#include "runtime/flow/flow_compiler.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <initializer_list>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace baley::runtime::testing {

namespace json = boost::json;

// {"id","type","data"}; `data` is JSON text.
inline json::value node(std::string_view id, std::string_view type,
                        std::string_view data = "{}") {
  return json::object{{"id", id}, {"type", type}, {"data", json::parse(data)}};
}

// {"id":"source->target","source","target"(,"sourceHandle")}.
inline json::value edge(std::string_view source, std::string_view target,
                        std::string_view handle = {}) {
  json::object e{{"id", std::string(source) + "->" + std::string(target)},
                 {"source", source},
                 {"target", target}};
  if (!handle.empty())
    e["sourceHandle"] = handle;
  return e;
}

inline json::value flow(std::initializer_list<json::value> nodes,
                        std::initializer_list<json::value> edges) {
  json::object f;
  f["name"] = "test";
  f["nodes"] = json::array(nodes.begin(), nodes.end());
  f["edges"] = json::array(edges.begin(), edges.end());
  return f;
}

// Compiles a flow that must be valid; fails the test with its problems if not.
inline std::shared_ptr<const compiled_flow> compile_valid(const json::value& definition,
                                                          jq_cache& programs) {
  auto outcome = compile_flow(definition, programs);
  std::string problems;
  for (const auto& p : outcome.problems)
    problems += "\n  [" + p.node_id + "] " + p.message;
  EXPECT_TRUE(outcome.flow) << "unexpected problems:" << problems;
  return outcome.flow;
}

// in -> double (.x * 2) -> out.
inline json::value linear() {
  return flow({node("in", "source"), node("double", "function-block", R"({"code":".x * 2"})"),
               node("out", "sink")},
              {edge("in", "double"), edge("double", "out")});
}

// in -> r (router: "yes" when .go, else "no") -> a | b -> c (after b)
// -> j (after a and c) -> out.
inline json::value branches() {
  return flow({node("in", "source"),
               node("r", "router", R"({"routes":[{"name":"yes","when":".go"}],"default":"no"})"),
               node("a", "function-block", R"({"code":"{from: \"a\"}"})"),
               node("b", "function-block", R"({"code":"{from: \"b\"}"})"),
               node("c", "function-block", R"({"code":"."})"),
               node("j", "function-block", R"({"code":"."})"), node("out", "sink")},
              {edge("in", "r"), edge("r", "a", "yes"), edge("r", "b", "no"), edge("b", "c"),
               edge("a", "j"), edge("c", "j"), edge("j", "out")});
}

// The payloads of type T among `events`, in order; or only those of one node.
template <class T>
std::vector<T> all_of(const std::vector<execution_event>& events) {
  std::vector<T> out;
  for (const auto& e : events)
    if (const auto* p = std::get_if<T>(&e.payload))
      out.push_back(*p);
  return out;
}

template <class T>
std::vector<T> all_of(const std::vector<execution_event>& events, std::string_view node_id) {
  auto out = all_of<T>(events);
  std::erase_if(out, [&](const T& e) { return e.node_id != node_id; });
  return out;
}

} // namespace baley::runtime::testing
