// The event log: append-only streams in RocksDB with contiguous indexes, a
// per-stream SHA-256 hash chain, projections committed with their events and
// group commit. This is the narrow interface every other folder uses; none of
// them includes a RocksDB header.
//
// Contract:
// - append_async() is thread-safe. One writer thread drains every request that
//   arrived while the previous write was in flight into one WriteBatch (events,
//   `global` entries and projection puts together), writes it with the chosen
//   durability, then calls the commit listener once for the batch and each
//   request's callback, all on the writer thread and in commit order.
// - A request is atomic: all its events commit or none. A request whose
//   expected_next does not match the stream's next index fails alone with
//   code "wrong_expected_index"; the others in the batch commit.
// - A failed RocksDB write fails its whole batch and stops the writer: every
//   later append fails with code "log_failed". No silent retry.
// - Reads are thread-safe and see only committed batches.
// - Listener and callbacks must not throw, and must not wait for another
//   append (the writer would wait for itself). append() blocks the caller.
// - After close(), append_async() answers "log_closed" at once, on the
//   calling thread; reads keep working until the log is destroyed.
// - Other error codes: "invalid_event" (not one JSON object),
//   "invalid_append" (bad stream name, unknown projection family),
//   "unknown_family" (projection reads), "corrupt_record"/"corrupt_log",
//   "io_error".
// - Implementation notes (storage/keys.hpp): the RocksDB value of an event
//   is its record followed by its 8-byte global position, so read_stream()
//   returns positions too; `record` is always the record alone.
#pragma once

#include "runtime/result.hpp"
#include "runtime/types.hpp"

#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace baley::storage {

enum class durability { fsync, buffered };

// Projection column families, written only together with events.
namespace families {
inline constexpr std::string_view executions = "executions";  // exec id -> summary JSON
inline constexpr std::string_view flows = "flows";            // flow id -> latest flow JSON
inline constexpr std::string_view meta = "meta";              // small named values
} // namespace families

struct log_options {
  std::string dir;
  durability mode = durability::fsync;
};

struct projection_put {
  std::string family;  // one of families::*
  std::string key;
  std::string value;   // empty value with erase = true deletes the key
  bool erase = false;
};

struct append_request {
  std::string stream;                        // e.g. "exec/<uuid>"
  std::optional<stream_index> expected_next;  // index the first event must get
  std::vector<std::string> events;           // event JSON, serialized once
  std::vector<projection_put> projections;
};

// One committed event. `record` is the stored value, exactly the bytes an SSE
// client receives after "data: ":
//   {"index":N,"prev":"<64 hex>","hash":"<64 hex>","event":<event JSON>}
struct committed_event {
  std::string stream;
  stream_index index = 0;
  global_position position = 0;
  std::string record;
};

using append_callback =
  std::function<void(result<std::vector<committed_event>>)>;
using commit_listener =
  std::function<void(const std::vector<committed_event>&)>;

struct audit_report {
  bool valid = true;
  std::uint64_t streams = 0;  // streams verified
  std::uint64_t events = 0;   // events verified
  std::optional<std::string> bad_stream;
  std::optional<stream_index> bad_index;
  std::string reason;         // what was wrong, for a person
  std::string head;           // hash of the last event (one-stream audit)
};

struct writer_stats {
  std::uint64_t batches = 0;
  std::uint64_t events = 0;
  std::uint64_t requests = 0;
};

class event_log {
public:
  // Opens or creates the log in options.dir (creating the directory). Errors:
  // "data_dir_locked" when another process holds it, "io_error" otherwise.
  static result<std::unique_ptr<event_log>> open(const log_options& options);

  virtual ~event_log() = default;

  // Appends asynchronously; `done` runs on the writer thread once durable.
  virtual void append_async(append_request request, append_callback done) = 0;

  // Appends and waits for durability. Convenience for the CLI and tests.
  virtual result<std::vector<committed_event>> append(append_request request) = 0;

  // Called on the writer thread with every committed batch, in global order,
  // before the batch's callbacks. Set once, before the first append.
  virtual void set_commit_listener(commit_listener listener) = 0;

  // Events of `stream` with index >= from, at most `limit`, in index order.
  virtual result<std::vector<committed_event>>
  read_stream(std::string_view stream, stream_index from,
              std::size_t limit = SIZE_MAX) const = 0;

  // Events in global order with position >= from, at most `limit`.
  virtual result<std::vector<committed_event>>
  read_global(global_position from, std::size_t limit) const = 0;

  // Index the next event of `stream` will get (0 for a new stream).
  virtual result<stream_index> next_index(std::string_view stream) const = 0;

  virtual result<std::optional<std::string>>
  get_projection(std::string_view family, std::string_view key) const = 0;

  // Calls fn(key, value) for every key of `family` starting with `prefix`.
  virtual status scan_projection(
    std::string_view family, std::string_view prefix,
    const std::function<void(std::string_view, std::string_view)>& fn) const = 0;

  // Verifies contiguous indexes and the hash chain of one stream, or of all.
  virtual result<audit_report>
  audit(std::optional<std::string_view> stream) const = 0;

  virtual writer_stats stats() const = 0;

  // Stops the writer after the in-flight batch; later appends fail.
  virtual void close() = 0;
};

// The event JSON inside a stored record (a view into `record`).
std::string_view event_bytes(std::string_view record);

} // namespace baley::storage
