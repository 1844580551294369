// The request sink that hands routed, parsed requests to the API actor.
#pragma once

#include "http/api_actor.hpp"
#include "http/api_call.hpp"
#include "http/metrics.hpp"


namespace baley::http {

class api_sink : public request_sink {
public:
  api_sink(api_actor api, metrics& counters);
  void handle(http_request request, exchange_ptr exchange) override;

private:
  api_actor api_;
  metrics& counters_;
};

} // namespace baley::http
