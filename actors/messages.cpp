// Names of the message payloads' enums; see messages.hpp.
#include "actors/messages.hpp"

#include "runtime/enum_names.hpp"

namespace baley::actors {

namespace {

constexpr runtime::enum_names<finish_reason, 4> reasons{{{
  {finish_reason::completed, "completed"},
  {finish_reason::failed, "failed"},
  {finish_reason::cancelled, "cancelled"},
  {finish_reason::log_failed, "log_failed"},
}}};

} // namespace

std::string_view finish_reason_name(finish_reason reason) {
  return reasons.name(reason);
}

finish_reason finish_reason_of(runtime::execution_status terminal) {
  switch (terminal) {
    case runtime::execution_status::completed: return finish_reason::completed;
    case runtime::execution_status::cancelled: return finish_reason::cancelled;
    default: return finish_reason::failed;
  }
}

} // namespace baley::actors
