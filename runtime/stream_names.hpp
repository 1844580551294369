// Every stream name and event type string, in one place: a type in the log is
// never renamed, only added.
#pragma once

#include <string>
#include <string_view>

namespace baley::names {

inline constexpr std::string_view execution_stream_prefix = "exec/";
inline constexpr std::string_view flow_stream_prefix = "flow/";

inline std::string execution_stream(std::string_view execution_id) {
  return std::string(execution_stream_prefix) + std::string(execution_id);
}
inline std::string flow_stream(std::string_view flow_id) {
  return std::string(flow_stream_prefix) + std::string(flow_id);
}

// Execution events (DESIGN.md, "Event model").
inline constexpr std::string_view execution_start = "execution_start";
inline constexpr std::string_view node_start = "node_start";
inline constexpr std::string_view node_stream = "node_stream";
inline constexpr std::string_view node_complete = "node_complete";
inline constexpr std::string_view node_error = "node_error";
inline constexpr std::string_view node_retry = "node_retry";
inline constexpr std::string_view node_skipped = "node_skipped";
inline constexpr std::string_view node_fallback = "node_fallback";
inline constexpr std::string_view execution_complete = "execution_complete";
inline constexpr std::string_view execution_error = "execution_error";
inline constexpr std::string_view execution_cancelled = "execution_cancelled";

// Flow events.
inline constexpr std::string_view flow_saved = "flow_saved";

} // namespace baley::names
