// One version of a configuration resource, read from its stream: the config
// event at index `version - 1` (flow_saved of flow/<id>, block_saved of
// block/<id>). For loading the flow an execution runs, live and in rebuilds.
#pragma once

#include "runtime/catalog/config_events.hpp"
#include "storage/event_log.hpp"

#include <string>

namespace baley::storage {

// "not_found" when the stream has no such version, "corrupt_log" when the
// event there is of another type.
template <class Event>
result<Event> read_saved_version(const event_log& log, const std::string& stream,
                                 std::uint64_t version) {
  using std::to_string;
  if (version == 0)
    return error{"not_found", stream + " has no version 0", {}};
  auto events = log.read_stream(stream, stream_index{version - 1}, 1);
  if (!events)
    return events.error();
  if (events->empty())
    return error{"not_found", stream + " version " + to_string(version) + " not found", {}};
  auto saved = runtime::parse_config_event(event_bytes(events->front().record));
  if (!saved)
    return saved.error();
  auto* event = std::get_if<Event>(&saved->payload);
  if (!event)
    return error{"corrupt_log", stream + " version " + to_string(version) + " is a "
                                  + std::string(runtime::type_name(saved->payload)) + " event", {}};
  return *event;
}

} // namespace baley::storage
