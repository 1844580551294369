// Direct RocksDB edits for tests of audit: what an attacker with disk access
// could do, done through the same key layout the log uses.
#include "storage/testing/tamper.hpp"

#include "storage/keys.hpp"
#include "storage/rocksdb_db.hpp"

namespace baley::storage {

status overwrite_record_for_test(const std::string& dir, std::string_view stream,
                                 stream_index index, std::string_view new_record) {
  auto db = open_db(dir, log_families());
  if (!db)
    return std::move(db).error();
  auto* log = (*db)->family(log_family);
  auto key = log_key(stream, index);
  std::string old_value;
  auto got = (*db)->db().Get(rocksdb::ReadOptions(), log, key, &old_value);
  if (!got.ok())
    return status_error(got, "cannot read record in", dir);
  auto old_stored = split_stored_value(old_value);
  std::string value(new_record);
  append_be64(value, old_stored ? old_stored->position.value() : 0);
  auto put = (*db)->db().Put(rocksdb::WriteOptions(), log, key, value);
  if (!put.ok())
    return status_error(put, "cannot write record in", dir);
  return ok;
}

status erase_record_for_test(const std::string& dir, std::string_view stream,
                             stream_index index) {
  auto db = open_db(dir, log_families());
  if (!db)
    return std::move(db).error();
  auto erased = (*db)->db().Delete(rocksdb::WriteOptions(), (*db)->family(log_family),
                                   log_key(stream, index));
  if (!erased.ok())
    return status_error(erased, "cannot delete record in", dir);
  return ok;
}

} // namespace baley::storage
