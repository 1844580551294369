// pattern_config_puts and pattern_match_puts; see pattern_projections.hpp.
#include "storage/pattern_projections.hpp"

#include "runtime/insight/pattern.hpp"
#include "runtime/overloaded.hpp"
#include "storage/projections.hpp"

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

namespace baley::storage {

using namespace runtime;

void pattern_config_puts(const config_event_payload& event, std::vector<projection_put>& out) {
  if (const auto* saved = std::get_if<pattern_saved>(&event))
    out.push_back(projections::pattern_stats(
      saved->pattern_id, serialize_versioned_stats({.version = saved->version})));
  else if (const auto* deleted = std::get_if<pattern_deleted>(&event)) {
    out.push_back(projections::pattern_stats_erased(deleted->pattern_id));
    out.push_back(projections::pattern_scan_erased(deleted->pattern_id));
  }
}

void pattern_match_puts(const pattern_match_event& event, std::vector<projection_put>& out) {
  auto put_matches = [&out](const std::vector<pattern_match>& matches) {
    for (const auto& m : matches)
      out.push_back(projections::pattern_match(m.pattern_id, m.version, m.decision_id,
                                               serialize_match_row(m)));
  };
  std::visit(overloaded{
               [&](const decisions_matched& e) {
                 put_matches(e.matches);
                 for (const auto& id : e.decision_ids)
                   out.push_back(projections::dequeued_decision(id));
               },
               [&](const pattern_scanned& e) {
                 put_matches(e.matches);
                 if (!e.done)
                   return;
                 boost::json::object row{{"version", e.version}};
                 if (!e.error.empty())
                   row["error"] = e.error;
                 out.push_back(projections::pattern_scan_done(e.pattern_id,
                                                              boost::json::serialize(row)));
               },
             },
             event);
}

} // namespace baley::storage
