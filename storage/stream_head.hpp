// A stream's head as stored: the index its next event gets and the hash its
// next event chains to. Loaded with one reverse seek.
#pragma once

#include "runtime/result.hpp"
#include "runtime/types.hpp"
#include "storage/hash_chain.hpp"

#include <string_view>

namespace baley::storage {

class db_handle;

struct stream_head {
  stream_index next{};
  hash_hex last_hash{};  // genesis_hash() for an empty stream
};

// Reads the last record of `stream` (consistent with committed batches);
// "corrupt_record" if it does not decode.
result<stream_head> load_stream_head(const db_handle& db, std::string_view stream);

} // namespace baley::storage
