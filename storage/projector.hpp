// Projections derived from other projections while a batch is staged: the
// analytics rows that many writers change (a block's hour, a cost group) are
// read and rewritten here, on the writer thread, one batch after another.
#pragma once
//
// Contract: the log calls derive() on its writer thread, for each put of a
// watched family in commit order, before that put is staged, and stages the
// derived puts right after it, in the same WriteBatch. `read` sees the
// committed projections with the puts of watched families and the derived
// puts staged before in this batch laid over them. derive() must not throw and must not append;
// an error it returns fails the batch like a failed write ("log_failed").
// Derived puts are not derived from again.

#include "storage/event_log.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace baley::storage {

class staged_reader {
public:
  virtual ~staged_reader() = default;
  virtual result<std::optional<std::string>> get(std::string_view family,
                                                 std::string_view key) const = 0;
};

class projector {
public:
  virtual ~projector() = default;
  virtual bool watches(std::string_view family) const = 0;
  virtual status derive(const projection_put& put, const staged_reader& read,
                        std::vector<projection_put>& out) = 0;
};

} // namespace baley::storage
