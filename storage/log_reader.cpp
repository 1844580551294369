// Read paths over the `log`, `global` and projection families. Values are
// returned as stored; nothing is re-encoded.
#include "storage/log_reader.hpp"

#include "storage/keys.hpp"
#include "storage/rocksdb_db.hpp"

namespace baley::storage {

namespace {

error corrupt_log(std::string message) {
  return error{"corrupt_log", std::move(message), {}};
}

error read_error(const rocksdb::Status& status) {
  return error{"io_error", "event log read failed: " + status.ToString(), {}};
}

rocksdb::ColumnFamilyHandle* projection_family(const db_handle& db,
                                               std::string_view family) {
  if (family == log_family || family == global_family)
    return nullptr;
  return db.family(family);
}

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
    positions.push_back(read_be64(it->key().ToStringView()));
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
      return corrupt_log("global position " + std::to_string(positions[i])
                         + " points at a missing event");
    if (!statuses[i].ok())
      return read_error(statuses[i]);
    auto parts = parse_log_key(keys[i]);
    auto value = split_stored_value(values[i]);
    if (!parts || !value)
      return corrupt_log("malformed entry at global position " + std::to_string(positions[i]));
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
  return read_be64(it->key().ToStringView()) + 1;
}

result<std::optional<std::string>>
get_projection(const db_handle& db, std::string_view family, std::string_view key) {
  auto* handle = projection_family(db, family);
  if (handle == nullptr)
    return error{"unknown_family", "no projection family \"" + std::string(family) + "\"", {}};
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
    return error{"unknown_family", "no projection family \"" + std::string(family) + "\"", {}};
  std::unique_ptr<rocksdb::Iterator> it(db.db().NewIterator(rocksdb::ReadOptions(), handle));
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next())
    fn(it->key().ToStringView(), it->value().ToStringView());
  if (!it->status().ok())
    return read_error(it->status());
  return ok;
}

} // namespace baley::storage
