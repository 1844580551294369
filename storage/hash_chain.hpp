// The per-stream hash chain: each event's hash is the hex SHA-256 of the
// previous event's hash (hex) followed by the event bytes.
#pragma once
//
// A chain_hasher keeps one OpenSSL digest context for reuse on a hot path; it
// is not thread-safe (one per thread). chain_hash() is the one-shot form.

#include <array>
#include <string>
#include <string_view>

namespace baley::storage {

inline constexpr std::size_t hash_hex_size = 64;
using hash_hex = std::array<char, hash_hex_size>;

// prev of a stream's first event: 64 '0's.
std::string_view genesis_hash();

class chain_hasher {
public:
  chain_hasher();
  ~chain_hasher();
  chain_hasher(const chain_hasher&) = delete;
  chain_hasher& operator=(const chain_hasher&) = delete;

  // hex(SHA-256(prev_hex ‖ event)) into `out`. False only if OpenSSL fails.
  [[nodiscard]] bool hash(std::string_view prev_hex, std::string_view event,
                          hash_hex& out);

private:
  struct impl;
  impl* impl_;
};

// One-shot: the hex hash, or an empty string if OpenSSL fails.
std::string chain_hash(std::string_view prev_hex, std::string_view event);

} // namespace baley::storage
