// Decisions and feedback: derived from execution state, stored as JSON rows,
// and the feedback_given event.
#include "runtime/insight/decision.hpp"

#include "runtime/json_fields.hpp"
#include "runtime/json_text.hpp"
#include "runtime/stream_names.hpp"
#include "runtime/time_format.hpp"

#include <boost/json/serialize.hpp>

#include <limits>

namespace baley::runtime {
namespace json = boost::json;
namespace {

constexpr auto int64_max = std::numeric_limits<std::int64_t>::max();

json::value optional_text(const std::string& s) {
  return s.empty() ? json::value() : json::value(s);
}

std::string_view feedback_state(const decision_record& d) {
  if (!d.feedback)
    return "none";
  return d.feedback->correct ? "correct" : "incorrect";
}

std::optional<unix_ms> time_field(json_fields& r, std::string_view key) {
  auto text = r.str(key);
  auto parsed = parse_rfc3339_ms(text);
  if (!parsed)
    return std::nullopt;
  return *parsed;
}

} // namespace

std::string decision_record::block_key() const {
  return block_id ? *block_id : flow_id + "/" + node_id;
}

std::optional<decision_record> decision_of(const std::string& execution_id,
                                    const execution_state& before, const node_complete& done,
                                    unix_ms ts, std::optional<std::string> block_id) {
  if (!done.model || before.trigger.kind == trigger_kind::test)
    return std::nullopt;
  const auto* task = before.task(done.node_id, done.iteration);
  if (!task)
    return std::nullopt;
  decision_record d{.id = task->block_execution_id,
             .workspace_id = before.workspace_id,
             .execution_id = execution_id,
             .flow_id = before.flow_id,
             .node_id = done.node_id,
             .iteration = done.iteration,
             .block_id = std::move(block_id),
             .model = *done.model,
             .input = task->input,
             .output = done.output,
             .cost = done.cost.value_or(0),
             .latency_ms = done.duration_ms,
             .ttft_ms = done.ttft_ms,
             .created_at = ts};
  if (d.block_id)
    if (auto it = before.block_versions.find(*d.block_id); it != before.block_versions.end())
      d.block_version = it->second;
  if (const auto* tokens = done.tokens.if_object()) {
    if (auto* in = tokens->if_contains("input"))
      d.tokens_input = json_integer(*in, 0, int64_max).value_or(0);
    if (auto* out = tokens->if_contains("output"))
      d.tokens_output = json_integer(*out, 0, int64_max).value_or(0);
  }
  return d;
}

json::object decision_json(const decision_record& d) {
  json::object o;
  o["id"] = d.id;
  o["executionId"] = d.execution_id;
  o["flowId"] = d.flow_id;
  o["nodeId"] = d.node_id;
  if (d.iteration)
    o["iteration"] = *d.iteration;
  o["blockId"] = d.block_id ? json::value(*d.block_id) : json::value();
  o["blockVersion"] = d.block_version ? json::value(*d.block_version) : json::value();
  o["model"] = d.model;
  o["input"] = d.input;
  o["output"] = d.output;
  o["tokens"] = {{"input", d.tokens_input}, {"output", d.tokens_output}};
  o["cost"] = d.cost;
  o["latencyMs"] = d.latency_ms;
  o["ttftMs"] = d.ttft_ms ? json::value(*d.ttft_ms) : json::value();
  o["createdAt"] = format_rfc3339_ms(d.created_at);
  o["feedback"] = d.feedback ? json::value(feedback_json(*d.feedback)) : json::value();
  o["workspaceId"] = d.workspace_id;
  return o;
}

std::string serialize_decision(const decision_record& d) {
  return json::serialize(decision_json(d));
}

result<decision_record> parse_decision(std::string_view stored) {
  auto invalid = [](std::string why) {
    return error{"invalid_decision", "stored decision: " + why, {}};
  };
  auto object = parse_stored_object(stored);
  if (!object)
    return invalid("not a JSON object");
  json_fields r{*object};
  decision_record d{.id = r.str("id"),
             .workspace_id = r.str("workspaceId"),
             .execution_id = r.str("executionId"),
             .flow_id = r.str("flowId"),
             .node_id = r.str("nodeId"),
             .iteration = r.opt_u32("iteration"),
             .model = r.str("model"),
             .input = r.val("input"),
             .output = r.val("output"),
             .cost = r.number("cost", 0),
             .latency_ms = r.integer("latencyMs")};
  if (r.present("blockId"))
    d.block_id = r.str("blockId");
  if (r.present("blockVersion"))
    d.block_version = static_cast<std::uint64_t>(r.integer("blockVersion"));
  if (r.present("ttftMs"))
    d.ttft_ms = r.integer("ttftMs");
  if (const auto* tokens = r.present("tokens"); tokens && tokens->is_object()) {
    json_fields t{tokens->get_object()};
    d.tokens_input = t.integer("input");
    d.tokens_output = t.integer("output");
    if (!t.problem.empty())
      return invalid("tokens: " + t.problem);
  }
  auto created = time_field(r, "createdAt");
  if (!created)
    return invalid("createdAt is not a time");
  d.created_at = *created;
  if (const auto* f = r.present("feedback"); f && f->is_object()) {
    json_fields fr{f->get_object()};
    feedback fb{.decision_id = d.id,
                .workspace_id = d.workspace_id,
                .correct = fr.boolean("correct"),
                .category = fr.str("category"),
                .corrected_output = fr.val("correctedOutput"),
                .notes = fr.str("notes")};
    auto at = time_field(fr, "createdAt");
    if (!at || !fr.problem.empty())
      return invalid("feedback is not one");
    fb.created_at = *at;
    d.feedback = std::move(fb);
  }
  if (!r.problem.empty() || d.id.empty())
    return invalid(r.problem.empty() ? "no id" : r.problem);
  return d;
}

std::string serialize_decision_index(const decision_record& d) {
  return json::serialize(json::object{{"blockKey", d.block_key()},
                                      {"flowId", d.flow_id},
                                      {"model", d.model},
                                      {"at", d.created_at},
                                      {"feedback", feedback_state(d)}});
}

std::optional<decision_index> parse_decision_index(std::string_view stored) {
  auto object = parse_stored_object(stored);
  if (!object)
    return std::nullopt;
  json_fields r{*object};
  decision_index index{.block_key = r.str("blockKey"),
                       .flow_id = r.str("flowId"),
                       .model = r.str("model"),
                       .at = r.integer("at"),
                       .feedback = r.str("feedback")};
  if (!r.problem.empty())
    return std::nullopt;
  return index;
}

json::object feedback_json(const feedback& f) {
  return {{"decisionId", f.decision_id},
          {"correct", f.correct},
          {"category", optional_text(f.category)},
          {"correctedOutput", f.corrected_output},
          {"notes", optional_text(f.notes)},
          {"createdAt", format_rfc3339_ms(f.created_at)}};
}

std::string serialize_feedback_event(const feedback& f) {
  json::object o;
  o["type"] = names::feedback_given;
  o["ts"] = format_rfc3339_ms(f.created_at);
  o["decisionId"] = f.decision_id;
  o["workspaceId"] = f.workspace_id;
  o["correct"] = f.correct;
  if (!f.category.empty())
    o["category"] = f.category;
  if (!f.corrected_output.is_null())
    o["correctedOutput"] = f.corrected_output;
  if (!f.notes.empty())
    o["notes"] = f.notes;
  return json::serialize(o);
}

result<feedback> parse_feedback_event(std::string_view json_text) {
  auto invalid = [](std::string why) { return error{"invalid_event", std::move(why), {}}; };
  auto object = parse_stored_object(json_text);
  if (!object)
    return invalid("event is not a JSON object");
  json_fields r{*object};
  if (r.str("type") != names::feedback_given)
    return invalid("not a feedback_given event");
  auto ts = time_field(r, "ts");
  feedback f{.decision_id = r.str("decisionId"),
             .workspace_id = r.str("workspaceId"),
             .correct = r.boolean("correct"),
             .category = r.str("category"),
             .corrected_output = r.val("correctedOutput"),
             .notes = r.str("notes")};
  if (!ts || !r.problem.empty())
    return invalid("feedback_given: " + (r.problem.empty() ? "ts is not a time" : r.problem));
  f.created_at = *ts;
  return f;
}

result<feedback> read_feedback_body(const json::value& body) {
  auto invalid = [](std::string why) { return error{"invalid_feedback", std::move(why), {}}; };
  const auto* o = body.if_object();
  if (!o)
    return invalid("the body must be a JSON object");
  const auto* correct = o->if_contains("correct");
  if (!correct || !correct->is_bool())
    return invalid("correct must be true or false");
  feedback f{.correct = correct->get_bool()};
  if (const auto* c = o->if_contains("category"); c && !c->is_null()) {
    if (!c->is_string())
      return invalid("category must be a string");
    f.category = std::string(c->get_string());
  }
  if (!f.correct && f.category.empty())
    return invalid("category is required when correct is false");
  if (const auto* n = o->if_contains("notes"); n && !n->is_null()) {
    if (!n->is_string())
      return invalid("notes must be a string");
    f.notes = std::string(n->get_string());
  }
  if (const auto* c = o->if_contains("correctedOutput"))
    f.corrected_output = *c;
  return f;
}

} // namespace baley::runtime
