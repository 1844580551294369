// The CLI's view of running executions; see execution_watch.hpp.
#include "cli/execution_watch.hpp"

#include "cli/command_line.hpp"
#include "runtime/json_text.hpp"
#include "runtime/stream_names.hpp"

#include <caf/all.hpp>

#include <boost/json/parse.hpp>

#include <atomic>
#include <csignal>
#include <cstdio>

namespace baley::cli {
namespace {

std::atomic<bool> interrupted{false};

extern "C" void on_interrupt(int) {
  interrupted.store(true);
}

// The terminal status an event's JSON announces, or "".
std::string terminal_status(std::string_view event_json) {
  boost::system::error_code ec;
  auto event = runtime::parse_stored_json(event_json, ec);
  if (ec || !event.is_object())
    return {};
  auto* type = event.get_object().if_contains("type");
  if (!type || !type->is_string())
    return {};
  std::string_view name = type->get_string();
  if (name == names::execution_complete)
    return "completed";
  if (name == names::execution_error)
    return "failed";
  if (name == names::execution_cancelled)
    return "cancelled";
  return {};
}

} // namespace

status subscribe_all(caf::scoped_actor& self, const caf::actor& broker) {
  std::optional<error> failure;
  self->request(broker, std::chrono::seconds(10), actors::subscribe_atom::value,
                std::string(actors::all_streams), caf::actor_cast<caf::actor>(self))
    .receive([](caf::atom_value) {},
             [&](caf::error& e) {
               failure = error{"internal", "cannot subscribe to the log: "
                                             + self->system().render(e), {}};
             });
  if (failure)
    return *failure;
  return ok;
}

int watch_executions(caf::scoped_actor& self,
                     const std::map<std::string, caf::actor>& executions) {
  std::signal(SIGINT, on_interrupt);
  std::signal(SIGTERM, on_interrupt);
  std::map<std::string, std::string> ended;
  bool cancel_sent = false;
  auto prefix = names::execution_stream_prefix;
  while (ended.size() < executions.size()) {
    self->receive(
      [&](actors::event_atom, const actors::shared_event& e) {
        if (e->stream.compare(0, prefix.size(), prefix) != 0)
          return;
        auto id = e->stream.substr(prefix.size());
        if (!executions.count(id))
          return;
        auto event_json = storage::event_bytes(e->record);
        auto line = ndjson_line(id, e->index, event_json);
        std::fwrite(line.data(), 1, line.size(), stdout);
        std::fflush(stdout);
        if (auto status = terminal_status(event_json); !status.empty())
          ended[id] = status;
      },
      [&](actors::finished_atom, const actors::execution_finished& f) {
        if (f.status != "log_failed")
          return;
        print_error(error{"log_failed", "execution " + f.execution_id
                                          + " stopped: the event log failed", {}});
        ended[f.execution_id] = "failed";
      },
      caf::after(std::chrono::milliseconds(100)) >> [&] {
        if (!interrupted.load() || cancel_sent)
          return;
        cancel_sent = true;
        for (const auto& [id, actor] : executions)
          if (!ended.count(id) && actor)
            caf::anon_send(actor, actors::cancel_atom::value, std::string("interrupted"));
      });
  }
  int code = exit_code::completed;
  for (const auto& [id, status] : ended) {
    if (status == "failed")
      return exit_code::failed;
    if (status == "cancelled")
      code = exit_code::cancelled;
  }
  return code;
}

} // namespace baley::cli
