// The flow compiler: every check of a flow before anything runs (types, ids,
// edges, cycles, settings, jq), reporting all problems at once with node ids.
#pragma once

#include "runtime/flow/flow.hpp"

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace baley::runtime {

struct flow_problem {
  std::string node_id;  // empty for problems of the flow as a whole
  std::string message;
};

struct compile_outcome {
  std::shared_ptr<const compiled_flow> flow;  // null when problems is not empty
  std::vector<flow_problem> problems;
};

// Checks everything at once and reports every problem with its node id:
// unknown type, duplicate id, dangling edge, cycle, no source, router route
// without edge, jq that does not compile, bad settings.
// `connection_exists` answers whether an ai-block's connectionId names a
// connection; without it every ai-block is refused ("connection not found").
using connection_check = std::function<bool(const std::string& connection_id)>;
compile_outcome compile_flow(const boost::json::value& flow, jq_cache& programs,
                             const connection_check& connection_exists = {});

// {"error","code":"invalid_flow","errors":[{"nodeId","message"}]}
boost::json::object invalid_flow_body(const std::vector<flow_problem>& problems);

} // namespace baley::runtime
