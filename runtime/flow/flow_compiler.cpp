// The flow compiler: every check of a flow before anything runs, reporting all
// problems at once with their node ids. See flow_compiler.hpp.
#include "runtime/flow/flow_compiler.hpp"

#include "runtime/flow/node_settings.hpp"

#include <algorithm>
#include <functional>
#include <queue>
#include <unordered_set>

namespace baley::runtime {
namespace json = boost::json;
namespace {

struct compiler {
  jq_cache& programs;
  std::vector<flow_problem> problems;
  connection_check connection_exists;

  void problem(std::string node_id, std::string message) {
    problems.push_back({std::move(node_id), std::move(message)});
  }
};

void check_routes(compiler& c, const compiled_flow& flow) {
  for (const auto& node : flow.nodes) {
    auto* router = node.settings_of<router_settings>();
    if (!router)
      continue;
    std::unordered_set<std::string> names;
    for (const auto& r : router->routes)
      names.insert(r.name);
    if (router->default_route)
      names.insert(*router->default_route);
    std::unordered_set<std::string> handles;
    for (auto e : node.out_edges) {
      const auto& edge = flow.edges[e];
      if (!edge.source_handle || !names.count(*edge.source_handle))
        c.problem(node.id, "edge '" + edge.id + "' leaves the router by no known route"
                             + (edge.source_handle ? " ('" + *edge.source_handle + "')" : ""));
      else
        handles.insert(*edge.source_handle);
    }
    for (const auto& name : names)
      if (!handles.count(name))
        c.problem(node.id, "route '" + name + "' has no edge");
  }
}

// Tarjan's strongly connected components: every node on a cycle.
std::vector<std::size_t> nodes_on_cycles(const compiled_flow& flow) {
  std::size_t n = flow.nodes.size(), counter = 0;
  std::vector<std::size_t> index(n, SIZE_MAX), low(n, 0), stack, on_cycle;
  std::vector<bool> on_stack(n, false);
  std::function<void(std::size_t)> visit = [&](std::size_t v) {
    index[v] = low[v] = counter++;
    stack.push_back(v);
    on_stack[v] = true;
    for (auto e : flow.nodes[v].out_edges) {
      auto w = flow.node_index.at(flow.edges[e].target);
      if (index[w] == SIZE_MAX) {
        visit(w);
        low[v] = std::min(low[v], low[w]);
      } else if (on_stack[w]) {
        low[v] = std::min(low[v], index[w]);
      }
    }
    if (low[v] != index[v])
      return;
    std::vector<std::size_t> component;
    std::size_t w;
    do {
      w = stack.back();
      stack.pop_back();
      on_stack[w] = false;
      component.push_back(w);
    } while (w != v);
    bool self_loop = false;
    for (auto e : flow.nodes[v].out_edges)
      self_loop |= flow.edges[e].target == flow.nodes[v].id;
    if (component.size() > 1 || self_loop)
      on_cycle.insert(on_cycle.end(), component.begin(), component.end());
  };
  for (std::size_t v = 0; v < n; ++v)
    if (index[v] == SIZE_MAX)
      visit(v);
  std::sort(on_cycle.begin(), on_cycle.end());
  return on_cycle;
}

// Kahn's algorithm; among ready nodes the one declared first goes first, so
// siblings start in the order the flow lists them.
std::vector<std::size_t> topological_order(const compiled_flow& flow) {
  std::vector<std::size_t> indegree(flow.nodes.size(), 0), order;
  std::priority_queue<std::size_t, std::vector<std::size_t>, std::greater<>> ready;
  for (std::size_t i = 0; i < flow.nodes.size(); ++i) {
    indegree[i] = flow.nodes[i].in_edges.size();
    if (indegree[i] == 0)
      ready.push(i);
  }
  while (!ready.empty()) {
    auto v = ready.top();
    ready.pop();
    order.push_back(v);
    for (auto e : flow.nodes[v].out_edges) {
      auto w = flow.node_index.at(flow.edges[e].target);
      if (--indegree[w] == 0)
        ready.push(w);
    }
  }
  return order;
}

void read_nodes(compiler& c, compiled_flow& flow, const json::value& nodes) {
  if (!nodes.is_array()) {
    c.problem({}, "flow needs a nodes array");
    return;
  }
  std::size_t position = 0;
  for (const auto& n : nodes.get_array()) {
    ++position;
    auto* id = n.is_object() ? n.get_object().if_contains("id") : nullptr;
    if (!id || !id->is_string() || id->get_string().empty()) {
      c.problem({}, "node #" + std::to_string(position) + " has no id");
      continue;
    }
    compiled_node node;
    node.id = std::string(id->get_string());
    if (flow.node_index.count(node.id)) {
      c.problem(node.id, "duplicate node id '" + node.id + "'");
      continue;
    }
    const auto& o = n.get_object();
    auto* type = o.if_contains("type");
    auto kind = type && type->is_string()
                  ? node_kind_from_name(type->get_string()) : std::nullopt;
    if (!kind) {
      c.problem(node.id, "unknown node type "
                           + (type ? json::serialize(*type) : std::string("(none)")));
    }
    node.settings = default_settings(kind.value_or(node_kind::parallel));
    if (auto* data = o.if_contains("data"); data && data->is_object())
      node.data = data->get_object();
    else if (data && !data->is_null())
      c.problem(node.id, "data must be an object");
    if (kind)
      read_node_settings(node, c.programs, c.problems, c.connection_exists);
    flow.node_index.emplace(node.id, flow.nodes.size());
    flow.nodes.push_back(std::move(node));
  }
}

void read_edges(compiler& c, compiled_flow& flow, const json::value* edges) {
  if (!edges || edges->is_null())
    return;
  if (!edges->is_array()) {
    c.problem({}, "edges must be an array");
    return;
  }
  for (const auto& e : edges->get_array()) {
    if (!e.is_object()) {
      c.problem({}, "every edge must be an object");
      continue;
    }
    const auto& o = e.get_object();
    auto text = [&](std::string_view key) -> std::string {
      auto* v = o.if_contains(key);
      return v && v->is_string() ? std::string(v->get_string()) : std::string();
    };
    flow_edge edge{text("id"), text("source"), text("target"), std::nullopt};
    if (auto* h = o.if_contains("sourceHandle"); h && h->is_string())
      edge.source_handle = std::string(h->get_string());
    if (edge.id.empty())
      edge.id = edge.source + "->" + edge.target;
    bool dangling = false;
    for (const auto* end : {&edge.source, &edge.target}) {
      if (end->empty()) {
        c.problem({}, "edge '" + edge.id + "' needs a source and a target");
        dangling = true;
      } else if (!flow.node_index.count(*end)) {
        c.problem(*end, "edge '" + edge.id + "' points to unknown node '" + *end + "'");
        dangling = true;
      }
    }
    if (dangling)
      continue;
    auto index = flow.edges.size();
    flow.nodes[flow.node_index[edge.source]].out_edges.push_back(index);
    flow.nodes[flow.node_index[edge.target]].in_edges.push_back(index);
    flow.edges.push_back(std::move(edge));
  }
}

void check_shape(compiler& c, const compiled_flow& flow) {
  bool has_source = false;
  for (const auto& node : flow.nodes) {
    if (node.kind() == node_kind::source) {
      has_source = true;
      if (!node.in_edges.empty())
        c.problem(node.id, "a source cannot have incoming edges");
    } else if (node.in_edges.empty()) {
      c.problem(node.id, "node has no incoming edge and is not a source");
    }
  }
  if (!has_source && !flow.nodes.empty())
    c.problem({}, "flow has no source node");
  if (flow.nodes.empty())
    c.problem({}, "flow has no nodes");
}

} // namespace

compile_outcome compile_flow(const json::value& definition, jq_cache& programs,
                             const connection_check& connection_exists) {
  compiler c{programs, {}, connection_exists};
  auto flow = std::make_shared<compiled_flow>();
  flow->definition = definition;
  if (!definition.is_object()) {
    c.problem({}, "a flow must be a JSON object");
    return {nullptr, std::move(c.problems)};
  }
  const auto& o = definition.get_object();
  if (auto* name = o.if_contains("name"); name && name->is_string())
    flow->name = std::string(name->get_string());
  read_nodes(c, *flow, o.contains("nodes") ? o.at("nodes") : json::value());
  read_edges(c, *flow, o.if_contains("edges"));
  check_shape(c, *flow);
  check_routes(c, *flow);
  auto cyclic = nodes_on_cycles(*flow);
  for (auto v : cyclic)
    c.problem(flow->nodes[v].id, "node is on a cycle");
  if (cyclic.empty())
    flow->topological_order = topological_order(*flow);
  if (!c.problems.empty())
    return {nullptr, std::move(c.problems)};
  return {std::move(flow), {}};
}

json::object invalid_flow_body(const std::vector<flow_problem>& problems) {
  json::array errors;
  for (const auto& p : problems) {
    json::object e;
    e["nodeId"] = p.node_id.empty() ? json::value() : json::value(p.node_id);
    e["message"] = p.message;
    errors.push_back(std::move(e));
  }
  json::object body;
  body["error"] = "the flow is invalid: " + std::to_string(problems.size())
                  + (problems.size() == 1 ? " problem" : " problems");
  body["code"] = "invalid_flow";
  body["errors"] = std::move(errors);
  return body;
}

} // namespace baley::runtime
