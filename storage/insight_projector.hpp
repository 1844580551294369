// The analytics projections (API.md, "Analytics"), derived on the log's
// writer thread from the decision and failure rows as they are staged.
#pragma once
//
// A new decision adds to its block's hour (counts, tokens, cost, latency) and
// to the hour of its block, model and flow in cost_buckets; a decision whose
// latest feedback changes moves its block hour's feedback counts; a new
// failure adds to its signature's hour; a new match of a pattern's latest
// version adds to that pattern's stats. The same code runs in `baley admin
// rebuild`, so the rows come out byte for byte the same.

#include "storage/projector.hpp"

#include <memory>

namespace baley::storage {

std::shared_ptr<projector> make_insight_projector();

} // namespace baley::storage
