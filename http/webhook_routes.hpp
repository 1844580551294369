// Webhooks (API.md, "Webhooks"): a secret per flow, encrypted at rest and
// compared in constant time; a token bucket per flow; every call to a flow
// that has a webhook is logged, accepted or not, as a webhook_called event on
// hooklog/<flowId> with its webhook_logs projection.
#pragma once

#include "http/auth.hpp"
#include "http/launcher.hpp"
#include "http/webhook_limits.hpp"
#include "storage/secret_box.hpp"

#include <set>

namespace baley::http {

class webhook_routes {
public:
  struct parts {
    catalog_store& catalog;
    webhook_limits& limits;
    execution_launcher& launcher;
    api_async& async;
    actors::engine& engine;
    const storage::secret_box& secrets;
    actors::id_source& ids;
  };
  explicit webhook_routes(parts p) : p_(p) {}

  void create(const api_call_ptr& call, const authenticated& who);
  void get(const api_call_ptr& call, const authenticated& who);
  void regenerate(const api_call_ptr& call, const authenticated& who);
  // PATCH: any of enabled, ratePerSecond, burst; the secret stays.
  void update(const api_call_ptr& call, const authenticated& who);
  void remove(const api_call_ptr& call, const authenticated& who);
  void logs(const api_call_ptr& call, const authenticated& who);
  // No bearer token: the secret in the path is the credential.
  void trigger(const api_call_ptr& call);

private:
  void save(const api_call_ptr& call, const std::string& ws, const std::string& flow_id,
            bool enabled, double rate, double burst, int status);
  // Appends `payload` to the flow's webhook stream, one change of a flow at
  // a time: each change is made from the webhook as it is, so a second one
  // while the first is in flight would undo it (a PATCH landing after a
  // regenerate would bring the old secret back); it is refused with 409
  // `conflict` instead. `then` runs once it is committed, or with its error.
  void write(const api_call_ptr& call, const std::string& flow_id,
             runtime::config_event_payload payload, std::function<void(const error*)> then);
  // 200 with the webhook as GET shows it (404 when there is none).
  void reply_current(const api_call_ptr& call, const std::string& ws, const std::string& flow_id);
  // Logs the call, then (once the entry is durable, or the log failed)
  // runs `then`: the answer follows its log entry, so a client that reads
  // the log after the answer finds it.
  void log_call(const api_call_ptr& call, const std::string& flow_id, int status,
                const std::string& execution_id, const std::string& error_text,
                std::string call_id, std::function<void()> then);
  void refuse(const api_call_ptr& call, const std::string& flow_id, int status,
              std::string_view code, const std::string& message);

  parts p_;
  std::set<std::string> writing_;  // flows with a webhook change in flight
};

} // namespace baley::http
