// The evaluations of a task's work and what their outputs mean; see
// task_work.hpp.
#include "runtime/execution/task_work.hpp"

#include <boost/json/serialize.hpp>

namespace baley::runtime {
namespace json = boost::json;
namespace {

bool truthy(const json::value& v) {
  return !v.is_null() && !(v.is_bool() && !v.get_bool());
}

std::optional<std::int64_t> budget_of(const compiled_node& node, work_kind kind) {
  auto* loop = node.settings_of<loop_settings>();
  if (kind == work_kind::loop_body && loop && loop->body.timeout_ms)
    return loop->body.timeout_ms;
  return node.jq_timeout_ms;
}

} // namespace

work_kind work_of(const compiled_node& node, std::optional<std::uint32_t> iteration) {
  if (iteration)
    return work_kind::loop_body;
  return node.kind() == node_kind::loop ? work_kind::expand_loop : work_kind::run;
}

node_failure failure_of(const baley::error& e, std::string prefix) {
  bool retryable = jq_error_is_retryable(e);
  return node_failure{.message = prefix + e.message,
                      .retryable = retryable,
                      .code = e.code == jq_error_retryable_code ? std::string(jq_error_code)
                                                                : e.code};
}

task_work::task_work(const compiled_node& node, work_kind kind, json::value input)
  : node_(node), router_(node.settings_of<router_settings>()), kind_(kind),
    input_(std::move(input)) {
  if (router_ && kind_ == work_kind::run && router_->routes.empty())
    outcome_ = node_output{.value = input_, .route = router_->default_route};
  else if (!program())
    outcome_ = node_output{.value = input_};  // source, sink, parallel, delay
}

const program_ptr* task_work::program() const {
  auto* loop = node_.settings_of<loop_settings>();
  switch (kind_) {
    case work_kind::expand_loop: return loop ? &loop->over : nullptr;
    case work_kind::loop_body: return loop ? &loop->body.code : nullptr;
    case work_kind::run: break;
  }
  if (auto* function = node_.settings_of<function_settings>())
    return &function->code;
  if (router_ && route_ < router_->routes.size())
    return &router_->routes[route_].when;
  return nullptr;
}

std::optional<jq_evaluation> task_work::next() const {
  if (outcome_)
    return std::nullopt;
  return jq_evaluation{program()->get(), &input_, budget_of(node_, kind_)};
}

void task_work::take(const jq_outputs& outputs) {
  if (outcome_)
    return;
  if (router_ && kind_ == work_kind::run)
    return take_route(outputs);
  if (!outputs) {
    outcome_ = failure_of(outputs.error(), kind_ == work_kind::expand_loop ? "over: " : "");
    return;
  }
  auto value = jq_single_output(*outputs);
  if (kind_ != work_kind::expand_loop) {
    outcome_ = node_output{.value = std::move(value)};
    return;
  }
  if (!value.is_array()) {
    outcome_ = node_failure{.message = "over must give an array, got " + json::serialize(value),
                            .code = jq_error_code};
    return;
  }
  auto& array = value.get_array();
  outcome_ = loop_items{{std::make_move_iterator(array.begin()),
                         std::make_move_iterator(array.end())}};
}

void task_work::take_route(const jq_outputs& outputs) {
  const auto& route = router_->routes[route_];
  if (!outputs) {
    auto failure = failure_of(outputs.error(), "route '" + route.name + "': ");
    failure.retryable = false;
    outcome_ = std::move(failure);
    return;
  }
  if (!outputs->empty() && truthy(outputs->front())) {
    outcome_ = node_output{.value = input_, .route = route.name};
    return;
  }
  if (++route_ < router_->routes.size())
    return;
  if (router_->default_route)
    outcome_ = node_output{.value = input_, .route = router_->default_route};
  else
    outcome_ = node_failure{.message = "no route matched and the router has no default",
                            .code = "no_route_matched"};
}

task_outcome run_in_process(task_work work) {
  while (auto evaluation = work.next())
    work.take(evaluation->program->run(*evaluation->input));
  return *work.outcome();
}

} // namespace baley::runtime
