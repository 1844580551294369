// The CLI's view of running executions; see execution_watch.hpp.
#include "cli/execution_watch.hpp"

#include "cli/command_line.hpp"
#include "runtime/stream_names.hpp"

#include <caf/all.hpp>

#include <atomic>
#include <csignal>
#include <cstdio>

namespace baley::cli {
namespace {

std::atomic<bool> interrupted{false};

extern "C" void on_interrupt(int) {
  interrupted.store(true);
}

} // namespace

status subscribe_all(caf::scoped_actor& self, const actors::broker_actor& broker) {
  std::optional<error> failure;
  self->request(broker, std::chrono::seconds(10), actors::subscribe_atom_v,
                std::string(actors::all_streams),
                caf::actor_cast<actors::event_subscriber>(self))
    .receive([](caf::ok_atom) {},
             [&](caf::error& e) {
               failure = error{"internal", "cannot subscribe to the log: "
                                             + self->system().render(e), {}};
             });
  if (failure)
    return *failure;
  return ok;
}

int watch_executions(caf::scoped_actor& self,
                     const std::map<std::string, actors::execution_actor>& executions) {
  std::signal(SIGINT, on_interrupt);
  std::signal(SIGTERM, on_interrupt);
  std::map<std::string, runtime::execution_status> ended;
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
        if (auto status = runtime::terminal_status_of(event_json))
          ended[id] = *status;
      },
      [&](actors::finished_atom, const actors::execution_finished& f) {
        if (f.reason != actors::finish_reason::log_failed)
          return;
        print_error(error{"log_failed", "execution " + f.execution_id
                                          + " stopped: the event log failed", {}});
        ended[f.execution_id] = runtime::execution_status::failed;
      },
      [&](actors::started_atom, const std::string&) {},
      caf::after(std::chrono::milliseconds(100)) >> [&] {
        if (!interrupted.load() || cancel_sent)
          return;
        cancel_sent = true;
        for (const auto& [id, actor] : executions)
          if (!ended.count(id) && actor)
            caf::anon_send(actor, actors::cancel_atom_v, std::string("interrupted"));
      });
  }
  int code = exit_code::completed;
  for (const auto& [id, status] : ended) {
    if (status == runtime::execution_status::failed)
      return exit_code::failed;
    if (status == runtime::execution_status::cancelled)
      code = exit_code::cancelled;
  }
  return code;
}

} // namespace baley::cli
