// Decisions and feedback (API.md, "Decisions and feedback"): every ai-block
// completion outside a test run is a decision, judged by feedback events.
#pragma once
//
// A decision is derived from the execution's state and its node_complete,
// so the execution actor writes it in the batch of that event and `baley
// admin rebuild` derives the same bytes from the log. Feedback is an event
// on feedback/<decisionId>; the latest one is copied into the decision.

#include "runtime/execution/execution_state.hpp"
#include "runtime/result.hpp"

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <optional>
#include <string>
#include <string_view>

namespace baley::runtime {

// One judgement of a decision: the feedback_given event's payload.
struct feedback {
  std::string decision_id;
  std::string workspace_id;
  bool correct = false;
  std::string category;               // empty: none
  boost::json::value corrected_output;  // null: none
  std::string notes;                  // empty: none
  unix_ms created_at = 0;

  bool operator==(const feedback&) const = default;
};

struct decision_record {
  std::string id;  // the node run's blockExecutionId
  std::string workspace_id;
  std::string execution_id;
  std::string flow_id;
  std::string node_id;
  std::optional<std::uint32_t> iteration;
  std::optional<std::string> block_id;  // none: an inline ai-block
  std::optional<std::uint64_t> block_version;
  std::string model;
  boost::json::value input;
  boost::json::value output;
  std::int64_t tokens_input = 0;
  std::int64_t tokens_output = 0;
  double cost = 0;
  std::int64_t latency_ms = 0;
  std::optional<std::int64_t> ttft_ms;
  unix_ms created_at = 0;
  std::optional<runtime::feedback> feedback;  // the latest

  // The key analytics group a block by: its id, or flowId/nodeId inline.
  std::string block_key() const;
};

// The decision `done` makes, judged on the state before it: nothing unless
// it completes an ai-block (it names a model) outside a test run. `block_id`
// is the node's data.blockId, if any.
std::optional<decision_record> decision_of(const std::string& execution_id,
                                    const execution_state& before, const node_complete& done,
                                    unix_ms ts, std::optional<std::string> block_id);

// The API's decision object, with "workspaceId" too: the stored row.
boost::json::object decision_json(const decision_record& d);
std::string serialize_decision(const decision_record& d);
// "invalid_decision" when the stored text is not one.
result<decision_record> parse_decision(std::string_view stored);

// What the decision lists filter on, stored in their index rows:
// {"blockKey","flowId","model","at","feedback":"none|correct|incorrect"}.
std::string serialize_decision_index(const decision_record& d);
struct decision_index {
  std::string block_key;
  std::string flow_id;
  std::string model;
  unix_ms at = 0;
  std::string feedback;  // none | correct | incorrect
};
std::optional<decision_index> parse_decision_index(std::string_view stored);

// {"decisionId","correct","category","correctedOutput","notes","createdAt"}.
boost::json::object feedback_json(const feedback& f);
// The feedback_given event, on feedback/<decisionId>.
std::string serialize_feedback_event(const feedback& f);
result<feedback> parse_feedback_event(std::string_view json_text);

// A feedback body as API.md asks: "invalid_feedback" when `correct` is not a
// boolean or a false one has no category. The category's existence is the
// caller's to check.
result<feedback> read_feedback_body(const boost::json::value& body);

} // namespace baley::runtime
