// Config events through the log into the catalog; see catalog_store.hpp.
#include "http/catalog_store.hpp"

namespace baley::http {

void catalog_store::save(std::string stream, runtime::config_event_payload payload,
                         std::function<void(const error*)> then,
                         std::vector<storage::projection_put> projections) {
  runtime::config_event event{time_->now(), std::move(payload)};
  storage::append_request request{.stream = std::move(stream),
                                  .expected_next = catalog_.next_index_of(event.payload),
                                  .events = {runtime::serialize_config_event(event)},
                                  .projections = std::move(projections)};
  async_.append_then(std::move(request),
                     [this, event = std::move(event), then = std::move(then)](
                       api_async::committed& r) {
                       if (!r && r.error().code == "wrong_expected_index") {
                         error conflict{"conflict",
                                        "another request changed this resource at the same "
                                        "time; read it again and retry", {}};
                         return then(&conflict);
                       }
                       if (!r)
                         return then(&r.error());
                       catalog_.apply(event);
                       then(nullptr);
                     });
}

} // namespace baley::http
