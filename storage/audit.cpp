// Audit walk: per stream in key order, indexes must run 0,1,2,… and each
// record must decode, chain to the previous hash and hash to what it says.
#include "storage/audit.hpp"

#include "storage/hash_chain.hpp"
#include "storage/keys.hpp"
#include "storage/record.hpp"
#include "storage/rocksdb_db.hpp"

namespace baley::storage {
using std::to_string;  // and named_type's, found by ADL

namespace {

struct stream_walk {
  std::string name;
  stream_index next{};
  std::string prev;
};

void fail(audit_report& report, std::string_view stream, stream_index index,
          std::string reason) {
  report.valid = false;
  report.bad_stream = std::string(stream);
  report.bad_index = index;
  report.reason = std::move(reason);
}

// Checks one log entry against the walk so far; false (with the report
// filled) at the first problem.
bool verify_entry(audit_report& report, stream_walk& walk, chain_hasher& hasher,
                  const log_key_parts& key, std::string_view stored) {
  if (key.index != walk.next) {
    fail(report, walk.name, walk.next,
         "index " + to_string(walk.next) + " is missing (next stored index is "
           + to_string(key.index) + ")");
    return false;
  }
  auto value = split_stored_value(stored);
  if (!value) {
    fail(report, walk.name, key.index, "stored value is shorter than its trailer");
    return false;
  }
  auto record = decode_record(value->record);
  if (!record) {
    fail(report, walk.name, key.index, record.error().message);
    return false;
  }
  if (record->index != key.index) {
    fail(report, walk.name, key.index,
         "record says index " + to_string(record->index));
    return false;
  }
  if (record->prev != walk.prev) {
    fail(report, walk.name, key.index, "prev does not match the previous event's hash");
    return false;
  }
  hash_hex hash;
  if (!hasher.hash(record->prev, record->event, hash)) {
    fail(report, walk.name, key.index, "SHA-256 failed in OpenSSL");
    return false;
  }
  if (record->hash != std::string_view(hash.data(), hash.size())) {
    fail(report, walk.name, key.index, "hash does not match prev and event bytes");
    return false;
  }
  walk.prev.assign(record->hash);
  walk.next += 1;
  report.events += 1;
  report.head.assign(record->hash);
  return true;
}

// Whole-log check of `global`: positions 0..n-1, each naming an existing
// event whose trailer names the same position, n = events walked.
status verify_global(const db_handle& db, const rocksdb::ReadOptions& options,
                     audit_report& report) {
  std::unique_ptr<rocksdb::Iterator> it(db.db().NewIterator(options, db.family(global_family)));
  global_position expected{};
  std::string value;
  for (it->SeekToFirst(); it->Valid(); it->Next(), ++expected) {
    auto parts = parse_log_key(it->value().ToStringView());
    if (it->key().size() != be64_size || !parts) {
      report.valid = false;
      report.reason = "malformed global entry at position " + to_string(expected);
      return ok;
    }
    auto position = global_position{read_be64(it->key().ToStringView())};
    auto got = db.db().Get(options, db.family(log_family), it->value(), &value);
    if (!got.ok() && !got.IsNotFound())
      return error{"io_error", "audit read failed: " + got.ToString(), {}};
    auto stored = got.ok() ? split_stored_value(value) : std::nullopt;
    std::string problem;
    if (position != expected)
      problem = "global position " + to_string(expected) + " is missing";
    else if (!stored)
      problem = "global position " + to_string(position) + " names a missing event";
    else if (stored->position != position)
      problem = "event is stored with global position " + to_string(stored->position)
                + " but listed at " + to_string(position);
    if (!problem.empty()) {
      fail(report, parts->stream, parts->index, std::move(problem));
      return ok;
    }
  }
  if (!it->status().ok())
    return error{"io_error", "audit read failed: " + it->status().ToString(), {}};
  if (expected != global_position{report.events}) {
    report.valid = false;
    report.reason = to_string(report.events) + " events in streams but "
                    + to_string(expected) + " in the global order";
  }
  return ok;
}

} // namespace

result<audit_report> audit_log(const db_handle& db, std::optional<std::string_view> stream) {
  const auto* snapshot = db.db().GetSnapshot();
  rocksdb::ReadOptions options;
  options.snapshot = snapshot;
  struct release {
    rocksdb::DB& db;
    const rocksdb::Snapshot* snapshot;
    ~release() { db.ReleaseSnapshot(snapshot); }
  } releaser{db.db(), snapshot};

  audit_report report;
  chain_hasher hasher;
  std::optional<stream_walk> walk;
  std::unique_ptr<rocksdb::Iterator> it(db.db().NewIterator(options, db.family(log_family)));
  auto prefix = stream ? stream_prefix(*stream) : std::string();
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
    auto key = parse_log_key(it->key().ToStringView());
    if (!key) {
      report.valid = false;
      report.reason = "malformed log key after stream "
                      + (walk ? walk->name : std::string("(none)"));
      return report;
    }
    if (!walk || walk->name != key->stream) {
      if (walk)
        report.streams += 1;  // the previous stream verified to its end
      walk = stream_walk{std::string(key->stream), stream_index{0}, std::string(genesis_hash())};
    }
    if (!verify_entry(report, *walk, hasher, *key, it->value().ToStringView()))
      return report;
  }
  if (!it->status().ok())
    return error{"io_error", "audit read failed: " + it->status().ToString(), {}};
  if (walk)
    report.streams += 1;
  if (stream)
    return report;
  report.head.clear();  // head is the last hash of one stream only
  if (auto checked = verify_global(db, options, report); !checked)
    return checked.error();
  return report;
}

} // namespace baley::storage
