// Block test runs; see block_test_routes.hpp.
#include "http/block_test_routes.hpp"

#include "http/paging.hpp"
#include "runtime/execution/test_run.hpp"
#include "runtime/json_text.hpp"
#include "runtime/numbers.hpp"
#include "storage/projections.hpp"

#include <boost/json.hpp>

namespace baley::http {
namespace json = boost::json;

namespace {

// The stored test run `run_id` of block `block_id`, if it is one.
result<std::optional<json::object>> load_test_run(const storage::event_log& log,
                                                  const std::string& workspace_id,
                                                  const std::string& block_id,
                                                  const std::string& run_id) {
  auto key = storage::projections::block_test_runs(workspace_id, block_id) + run_id;
  auto stored = log.get_projection(storage::families::test_runs, key);
  if (!stored)
    return std::move(stored).error();
  if (!*stored)
    return std::optional<json::object>();
  return runtime::parse_stored_object(**stored);
}

} // namespace

void block_test_routes::test(const api_call_ptr& call, const authenticated& who) {
  const auto* block = p_.catalog.get().block(who.workspace_id, call->param(0));
  if (!block)
    return reply_not_found(call, "block " + call->param(0));
  const json::object empty;
  const json::object* body = &empty;
  if (call->body) {
    if (!call->body->is_object())
      return reply_error(call, 400, "invalid_request",
                         R"(the body must be {"input": ...} or {"fromTestRunId": "..."})");
    body = &call->body->get_object();
  }
  auto version = block->version;
  if (const auto* v = body->if_contains("version"); v && !v->is_null()) {
    auto n = runtime::json_integer(*v, 1, std::numeric_limits<std::int64_t>::max());
    if (!n)
      return reply_error(call, 400, "invalid_request", "version must be a whole number from 1");
    if (static_cast<std::uint64_t>(*n) > block->version)
      return reply_not_found(call, "version " + std::to_string(*n) + " of block " + block->id);
    version = static_cast<std::uint64_t>(*n);
  }
  auto wait = wait_of(call->request);
  if (!wait)
    return reply_error(call, wait.error());
  const auto* from = body->if_contains("fromTestRunId");
  if (!from || from->is_null()) {
    const auto* input = body->if_contains("input");
    return launch(call, who, version, input ? *input : json::value(json::object()), *wait);
  }
  if (!from->is_string())
    return reply_error(call, 400, "invalid_request", "fromTestRunId must be a test run id");
  using loaded = result<std::optional<json::object>>;
  std::function<loaded()> read = [&log = p_.engine.log(), ws = who.workspace_id,
                                  block_id = block->id, run_id = std::string(from->get_string())] {
    return load_test_run(log, ws, block_id, run_id);
  };
  p_.async.on_reader_then<loaded>(
    std::move(read), [this, call, who, version, wait = *wait,
                      run_id = std::string(from->get_string())](loaded& run) {
      if (!run)
        return reply_error(call, run.error());
      if (!*run)
        return reply_not_found(call, "test run " + run_id + " of block " + call->param(0));
      auto* input = (*run)->if_contains("input");
      launch(call, who, version, input ? *input : json::value(json::object()), wait);
    });
}

void block_test_routes::launch(const api_call_ptr& call, const authenticated& who,
                               std::uint64_t version, json::value input,
                               std::optional<double> wait) {
  const auto& block_id = call->param(0);
  launch_request request;
  request.workspace_id = who.workspace_id;
  request.flow_id = runtime::test_flow_id(block_id);
  request.flow_version = version;
  request.input = std::move(input);
  request.trigger.kind = runtime::trigger_kind::test;
  request.trigger.token_id = who.token_id;
  request.block_versions[block_id] = version;
  p_.launcher.launch(std::move(request), [this, call, wait](const std::string* id,
                                                            const error* failed) {
    if (failed)
      return reply_error(call, *failed);
    json::object started{{"executionId", *id}, {"testRunId", *id}};
    if (wait && *wait > 0)
      return p_.executions.wait_for(call, *id, *wait, std::move(started));
    reply_json(call, 202, started);
  });
}

void block_test_routes::list(const api_call_ptr& call, const authenticated& who) {
  if (!p_.catalog.get().block(who.workspace_id, call->param(0)))
    return reply_not_found(call, "block " + call->param(0));
  reply_projection_page(p_.async, p_.engine.log(), call, storage::families::test_runs,
                        storage::projections::block_test_runs(who.workspace_id, call->param(0)));
}

void block_test_routes::get(const api_call_ptr& call, const authenticated& who) {
  if (!p_.catalog.get().block(who.workspace_id, call->param(0)))
    return reply_not_found(call, "block " + call->param(0));
  p_.async.on_reader([&log = p_.engine.log(), call, ws = who.workspace_id] {
    auto run = load_test_run(log, ws, call->param(0), call->param(1));
    if (!run)
      return reply_error(call, run.error());
    if (!*run)
      return reply_not_found(call, "test run " + call->param(1));
    reply_json(call, 200, **run);
  });
}

} // namespace baley::http
