// Read paths over the `log`, `global` and projection families. Values are
// returned as stored; nothing is re-encoded.
#include "storage/log_reader.hpp"

#include "storage/keys.hpp"
#include "storage/rocksdb_db.hpp"

#include <rocksdb/write_batch.h>

namespace baley::storage {
using std::to_string;  // and named_type's, found by ADL

namespace {

error corrupt_log(std::string message) {
  return error{"corrupt_log", std::move(message), {}};
}

error read_error(const rocksdb::Status& status) {
  return error{"io_error", "event log read failed: " + status.ToString(), {}};
}

// nullptr for a name that is not one of families::all.
rocksdb::ColumnFamilyHandle* projection_family(const db_handle& db,
                                               std::string_view family) {
  if (!families::known(family))
    return nullptr;
  return db.family(family);
}

error unknown_family(std::string_view family) {
  return error{"unknown_family", "no projection family \"" + std::string(family) + "\"", {}};
}

// The least key greater than every key starting with `prefix`, or nullopt
// when there is none ("" or all 0xff bytes).
std::optional<std::string> prefix_successor(std::string_view prefix) {
  std::string bound(prefix);
  while (!bound.empty() && static_cast<unsigned char>(bound.back()) == 0xff)
    bound.pop_back();
  if (bound.empty())
    return std::nullopt;
  bound.back() = static_cast<char>(static_cast<unsigned char>(bound.back()) + 1);
  return bound;
}

// Iterator bounds for a prefix scan: RocksDB then stops at the end of the
// range instead of stepping over whatever follows it (tombstones included).
struct prefix_bounds {
  explicit prefix_bounds(std::string_view prefix)
    : lower(prefix.data(), prefix.size()), upper_key(prefix_successor(prefix)) {
    if (upper_key)
      upper = rocksdb::Slice(*upper_key);
  }
  prefix_bounds(const prefix_bounds&) = delete;  // the slices point into it
  prefix_bounds& operator=(const prefix_bounds&) = delete;
  void apply(rocksdb::ReadOptions& options) {
    options.iterate_lower_bound = &lower;
    if (upper_key)
      options.iterate_upper_bound = &upper;
  }
  rocksdb::Slice lower;
  std::optional<std::string> upper_key;
  rocksdb::Slice upper;
};

// RAII for a RocksDB snapshot, so both passes of read_global agree.
class snapshot_guard {
public:
  explicit snapshot_guard(rocksdb::DB& db) : db_(db), snapshot_(db.GetSnapshot()) {}
  ~snapshot_guard() { db_.ReleaseSnapshot(snapshot_); }
  const rocksdb::Snapshot* get() const { return snapshot_; }

private:
  rocksdb::DB& db_;
  const rocksdb::Snapshot* snapshot_;
};

} // namespace

result<std::vector<committed_event>>
read_stream(const db_handle& db, std::string_view stream, stream_index from,
            std::size_t limit) {
  std::vector<committed_event> events;
  auto prefix = stream_prefix(stream);
  std::unique_ptr<rocksdb::Iterator> it(
    db.db().NewIterator(rocksdb::ReadOptions(), db.family(log_family)));
  for (it->Seek(log_key(stream, from));
       it->Valid() && it->key().starts_with(prefix) && events.size() < limit;
       it->Next()) {
    auto parts = parse_log_key(it->key().ToStringView());
    auto value = split_stored_value(it->value().ToStringView());
    if (!parts || !value)
      return corrupt_log("malformed log entry in stream " + std::string(stream));
    events.push_back(committed_event{std::string(stream), parts->index,
                                     value->position, std::string(value->record)});
  }
  if (!it->status().ok())
    return read_error(it->status());
  return events;
}

result<std::vector<committed_event>>
read_global(const db_handle& db, global_position from, std::size_t limit) {
  snapshot_guard snapshot(db.db());
  rocksdb::ReadOptions options;
  options.snapshot = snapshot.get();

  std::vector<std::string> keys;
  std::vector<global_position> positions;
  std::unique_ptr<rocksdb::Iterator> it(
    db.db().NewIterator(options, db.family(global_family)));
  for (it->Seek(global_key(from)); it->Valid() && keys.size() < limit; it->Next()) {
    if (it->key().size() != be64_size)
      return corrupt_log("malformed global key");
    positions.push_back(global_position{read_be64(it->key().ToStringView())});
    keys.push_back(it->value().ToString());
  }
  if (!it->status().ok())
    return read_error(it->status());

  std::vector<rocksdb::Slice> slices(keys.begin(), keys.end());
  std::vector<rocksdb::ColumnFamilyHandle*> families(keys.size(), db.family(log_family));
  std::vector<std::string> values;
  auto statuses = db.db().MultiGet(options, families, slices, &values);

  std::vector<committed_event> events;
  events.reserve(keys.size());
  for (std::size_t i = 0; i < keys.size(); ++i) {
    if (statuses[i].IsNotFound())
      return corrupt_log("global position " + to_string(positions[i])
                         + " points at a missing event");
    if (!statuses[i].ok())
      return read_error(statuses[i]);
    auto parts = parse_log_key(keys[i]);
    auto value = split_stored_value(values[i]);
    if (!parts || !value)
      return corrupt_log("malformed entry at global position " + to_string(positions[i]));
    events.push_back(committed_event{std::string(parts->stream), parts->index,
                                     positions[i], std::string(value->record)});
  }
  return events;
}

result<global_position> next_global_position(const db_handle& db) {
  std::unique_ptr<rocksdb::Iterator> it(
    db.db().NewIterator(rocksdb::ReadOptions(), db.family(global_family)));
  it->SeekToLast();
  if (!it->status().ok())
    return read_error(it->status());
  if (!it->Valid())
    return global_position{0};
  if (it->key().size() != be64_size)
    return corrupt_log("malformed global key");
  return global_position{read_be64(it->key().ToStringView()) + 1};
}

result<std::optional<std::string>>
get_projection(const db_handle& db, std::string_view family, std::string_view key) {
  auto* handle = projection_family(db, family);
  if (handle == nullptr)
    return unknown_family(family);
  std::string value;
  auto got = db.db().Get(rocksdb::ReadOptions(), handle, key, &value);
  if (got.IsNotFound())
    return std::optional<std::string>{};
  if (!got.ok())
    return read_error(got);
  return std::optional<std::string>{std::move(value)};
}

status scan_projection(
  const db_handle& db, std::string_view family, std::string_view prefix,
  const std::function<void(std::string_view, std::string_view)>& fn) {
  auto* handle = projection_family(db, family);
  if (handle == nullptr)
    return unknown_family(family);
  std::unique_ptr<rocksdb::Iterator> it(db.db().NewIterator(rocksdb::ReadOptions(), handle));
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next())
    fn(it->key().ToStringView(), it->value().ToStringView());
  if (!it->status().ok())
    return read_error(it->status());
  return ok;
}

status scan_projection_range(
  const db_handle& db, std::string_view family, std::string_view begin, std::string_view end,
  const std::function<bool(std::string_view, std::string_view)>& fn) {
  auto* handle = projection_family(db, family);
  if (handle == nullptr)
    return unknown_family(family);
  rocksdb::ReadOptions options;
  rocksdb::Slice upper(end.data(), end.size());
  options.iterate_upper_bound = &upper;
  std::unique_ptr<rocksdb::Iterator> it(db.db().NewIterator(options, handle));
  for (it->Seek(rocksdb::Slice(begin.data(), begin.size())); it->Valid(); it->Next())
    if (!fn(it->key().ToStringView(), it->value().ToStringView()))
      return ok;
  if (!it->status().ok())
    return read_error(it->status());
  return ok;
}

status clear_projections(const db_handle& db) {
  rocksdb::WriteBatch batch;
  for (auto family : families::all) {
    auto* handle = projection_family(db, family);
    std::unique_ptr<rocksdb::Iterator> it(db.db().NewIterator(rocksdb::ReadOptions(), handle));
    for (it->SeekToFirst(); it->Valid(); it->Next())
      batch.Delete(handle, it->key());
    if (!it->status().ok())
      return read_error(it->status());
  }
  rocksdb::WriteOptions sync;
  sync.sync = true;
  if (auto written = db.db().Write(sync, &batch); !written.ok())
    return read_error(written);
  return ok;
}

namespace {

// Puts `it` on the first entry of the page: strictly after `after_key` when
// given, else at the first (or, newest first, the last) key of the range.
void seek_page_start(rocksdb::Iterator& it, const prefix_bounds& bounds,
                     const std::optional<std::string>& after_key, bool newest_first) {
  if (!newest_first) {
    it.Seek(after_key ? rocksdb::Slice(*after_key) : bounds.lower);
    if (after_key && it.Valid() && it.key() == rocksdb::Slice(*after_key))
      it.Next();
    return;
  }
  if (after_key) {
    it.SeekForPrev(*after_key);
    if (it.Valid() && it.key() == rocksdb::Slice(*after_key))
      it.Prev();
  } else if (bounds.upper_key) {
    it.SeekForPrev(bounds.upper);  // the upper bound is exclusive
    if (it.Valid() && it.key() == bounds.upper)
      it.Prev();
  } else {
    it.SeekToLast();
  }
}

} // namespace

result<std::optional<std::string>> scan_projection_page(
  const db_handle& db, std::string_view family, std::string_view prefix,
  std::optional<std::string> after_key, bool newest_first, std::size_t limit,
  const std::function<bool(std::string_view, std::string_view)>& fn) {
  auto* handle = projection_family(db, family);
  if (handle == nullptr)
    return unknown_family(family);
  if (limit == 0)
    return error{"invalid_page", "a page needs a limit of at least 1", {}};
  if (after_key && !after_key->starts_with(prefix))
    return error{"invalid_cursor", "the cursor does not belong to this list", {}};

  prefix_bounds bounds(prefix);
  rocksdb::ReadOptions options;
  bounds.apply(options);
  std::unique_ptr<rocksdb::Iterator> it(db.db().NewIterator(options, handle));
  seek_page_start(*it, bounds, after_key, newest_first);

  std::size_t taken = 0;
  std::optional<std::string> last_taken;
  bool more = false;
  for (; it->Valid() && it->key().starts_with(prefix);
       newest_first ? it->Prev() : it->Next()) {
    if (taken == limit) {
      more = true;  // look-ahead only: fn is not called for it
      break;
    }
    if (fn(it->key().ToStringView(), it->value().ToStringView())) {
      ++taken;
      if (taken == limit)
        last_taken = it->key().ToString();
    }
  }
  if (!it->status().ok())
    return read_error(it->status());
  if (!more)
    return std::optional<std::string>{};
  return last_taken;
}

status scan_streams(const db_handle& db, std::string_view stream_prefix,
                    const std::function<void(const committed_event&)>& fn) {
  prefix_bounds bounds(stream_prefix);
  rocksdb::ReadOptions options;
  bounds.apply(options);
  // A one-off sweep at start: keep it from evicting the hot blocks.
  options.fill_cache = false;
  std::unique_ptr<rocksdb::Iterator> it(
    db.db().NewIterator(options, db.family(log_family)));
  committed_event event;  // reused: its strings keep their capacity
  for (it->Seek(bounds.lower); it->Valid() && it->key().starts_with(stream_prefix);
       it->Next()) {
    auto parts = parse_log_key(it->key().ToStringView());
    auto value = split_stored_value(it->value().ToStringView());
    if (!parts || !value)
      return corrupt_log("malformed log entry under stream prefix \""
                         + std::string(stream_prefix) + "\"");
    event.stream.assign(parts->stream);
    event.index = parts->index;
    event.position = value->position;
    event.record.assign(value->record);
    fn(event);
  }
  if (!it->status().ok())
    return read_error(it->status());
  return ok;
}

} // namespace baley::storage
