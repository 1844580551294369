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
//   "unknown_family" (projection reads), "invalid_cursor"/"invalid_page"
//   (scan_projection_page), "corrupt_record"/"corrupt_log", "io_error".
// - Implementation notes (storage/keys.hpp): the RocksDB value of an event
//   is its record followed by its 8-byte global position, so read_stream()
//   returns positions too; `record` is always the record alone.
#pragma once

#include "runtime/result.hpp"
#include "runtime/types.hpp"

#include <array>
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace baley::storage {

enum class durability { fsync, buffered };

// Projection column families, written only together with events. `all` is
// the one list of them: the writer's validation, the reads and the families
// opened in RocksDB all derive from it, so a new family is added here only.
// A compound key is owner ‖ '\0' ‖ id (compound_key()); ids never contain
// '\0', so one owner's keys are contiguous and sorted by id.
namespace families {
inline constexpr std::string_view executions = "executions";  // exec id -> summary JSON
// No longer written (flows are folded from their streams into the catalog);
// kept so that data dirs that have it open, and emptied by a rebuild.
inline constexpr std::string_view flows = "flows";
inline constexpr std::string_view meta = "meta";              // small named values
// workspaceId ‖ '\0' ‖ executionId -> execution summary JSON. Ids are
// UUIDv7, so reverse key order under a workspace is newest first.
inline constexpr std::string_view executions_by_workspace = "executions_by_workspace";
// workspaceId ‖ '\0' ‖ Idempotency-Key -> {"executionId","at"}; `at` is when
// the key was first used: its reader ignores entries older than 24 h.
inline constexpr std::string_view idempotency = "idempotency";
// flowId ‖ '\0' ‖ logId -> webhook call log JSON.
inline constexpr std::string_view webhook_logs = "webhook_logs";
// Decisions and analytics (storage/projections.hpp has their keys).
inline constexpr std::string_view decisions = "decisions";
inline constexpr std::string_view decisions_by_workspace = "decisions_by_workspace";
inline constexpr std::string_view decisions_by_block = "decisions_by_block";
inline constexpr std::string_view node_failures = "node_failures";
inline constexpr std::string_view block_buckets = "block_buckets";
inline constexpr std::string_view cost_buckets = "cost_buckets";
inline constexpr std::string_view failure_buckets = "failure_buckets";
// workspaceId ‖ '\0' ‖ blockId ‖ '\0' ‖ executionId -> the test run JSON.
inline constexpr std::string_view test_runs = "test_runs";
// Patterns (storage/projections.hpp has their keys).
inline constexpr std::string_view pattern_matches = "pattern_matches";
inline constexpr std::string_view pattern_stats = "pattern_stats";
inline constexpr std::string_view pattern_queue = "pattern_queue";

inline constexpr std::array<std::string_view, 17> all = {
  executions,         flows,          meta,          executions_by_workspace,
  idempotency,        webhook_logs,   decisions,     decisions_by_workspace,
  decisions_by_block, node_failures,  block_buckets, cost_buckets,
  failure_buckets,    test_runs,      pattern_matches, pattern_stats,
  pattern_queue};

constexpr bool known(std::string_view family) {
  for (auto name : all)
    if (name == family)
      return true;
  return false;
}

// owner ‖ '\0' ‖ id: the key of the compound families above.
inline std::string compound_key(std::string_view owner, std::string_view id) {
  std::string key;
  key.reserve(owner.size() + 1 + id.size());
  key.append(owner).push_back('\0');
  key.append(id);
  return key;
}

// owner ‖ '\0': the prefix of every compound key of `owner`.
inline std::string compound_prefix(std::string_view owner) {
  return compound_key(owner, {});
}
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
  stream_index index{};
  global_position position{};
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

// Upper bounds (Prometheus `le`) of the writer's histograms; +Inf is implied.
inline constexpr std::array<double, 13> commit_seconds_bounds = {
  0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1};
inline constexpr std::array<double, 9> batch_events_bounds = {
  1, 2, 4, 8, 16, 32, 64, 128, 256};

// A histogram as read, ready to print as Prometheus buckets: cumulative[i]
// counts the observations <= le[i]; cumulative.back() is the +Inf bucket and
// always equals count. sum is the total of the observed values.
template <std::size_t Bounds>
struct histogram_snapshot {
  std::array<double, Bounds> le{};
  std::array<std::uint64_t, Bounds + 1> cumulative{};
  std::uint64_t count = 0;
  double sum = 0;
};

// Counters of the writer thread, read with relaxed loads: each field is
// exact, but fields read during a commit may be one batch apart.
struct writer_stats {
  std::uint64_t batches = 0;   // RocksDB writes that committed
  std::uint64_t events = 0;
  std::uint64_t requests = 0;  // in committed batches, rejected ones included
  // Seconds spent in each committing RocksDB Write (fsync included), one
  // observation per batch: count == batches.
  histogram_snapshot<commit_seconds_bounds.size()> commit_seconds;
  // Events per committed batch (0 for a batch of projections only):
  // count == batches, sum == events.
  histogram_snapshot<batch_events_bounds.size()> batch_events;
};

class projector;

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

  // Derives projections as batches are staged (storage/projector.hpp). Set
  // once, before the first append.
  virtual void set_projector(std::shared_ptr<projector> derive) = 0;

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

  // Calls fn(key, value) for every key of `family` in [begin, end), in key
  // order, until fn returns false.
  virtual status scan_projection_range(
    std::string_view family, std::string_view begin, std::string_view end,
    const std::function<bool(std::string_view, std::string_view)>& fn) const = 0;

  // Deletes every key of every projection family in one write, for `baley
  // admin rebuild` (the log itself is untouched). Not while appending.
  virtual status clear_projections() = 0;

  // Calls fn(key, value) for the keys of `family` under `prefix`, one page:
  // in key order, or reverse key order when newest_first, starting strictly
  // after `after_key` when given (a cursor from the previous page; it must
  // start with `prefix`, else "invalid_cursor").
  // fn returns whether it took the entry: false means a filter of the caller
  // rejected it, and it does not count toward `limit`. The page ends once fn
  // has taken `limit` entries (limit 0: "invalid_page") or the keys under the
  // prefix run out.
  // Returns the next cursor: the key of the last entry taken when at least
  // one more key follows under the prefix, else nullopt (the list is done).
  // fn is never called past the page, so with a filter the page a cursor
  // leads to may be empty; a cursor never skips or repeats an entry, and the
  // keys are the caller's to encode for clients. "unknown_family" as above.
  virtual result<std::optional<std::string>> scan_projection_page(
    std::string_view family, std::string_view prefix,
    std::optional<std::string> after_key, bool newest_first, std::size_t limit,
    const std::function<bool(std::string_view key, std::string_view value)>& fn)
    const = 0;

  // Calls fn for every event of every stream whose name starts with
  // `stream_prefix`, in key order: by stream name (bytewise), then index.
  // "flow/" matches "flow/a" but not "flowx/a"; "" matches every stream.
  // Reads one consistent view (commits made meanwhile are not seen); stops
  // at the first error. For folding the config streams at start without
  // scanning `global`.
  virtual status scan_streams(
    std::string_view stream_prefix,
    const std::function<void(const committed_event&)>& fn) const = 0;

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
