// Loading a stream's head from the `log` family: seek to the last key of the
// stream, decode its record, take index + 1 and its hash.
#include "storage/stream_head.hpp"

#include "storage/keys.hpp"
#include "storage/record.hpp"
#include "storage/rocksdb_db.hpp"

#include <algorithm>
#include <limits>

namespace baley::storage {

result<stream_head> load_stream_head(const db_handle& db, std::string_view stream) {
  stream_head head;
  auto genesis = genesis_hash();
  std::copy(genesis.begin(), genesis.end(), head.last_hash.begin());

  auto last_key = log_key(stream, std::numeric_limits<stream_index>::max());
  auto prefix = stream_prefix(stream);
  std::unique_ptr<rocksdb::Iterator> it(
    db.db().NewIterator(rocksdb::ReadOptions(),
                                                  db.family(log_family)));
  it->SeekForPrev(last_key);
  if (!it->status().ok())
    return status_error(it->status(), "cannot read stream head in", stream);
  if (!it->Valid() || !it->key().starts_with(prefix))
    return head;

  auto parts = parse_log_key(it->key().ToStringView());
  auto value = split_stored_value(it->value().ToStringView());
  if (!parts || !value)
    return error{"corrupt_record", "malformed last entry of stream " + std::string(stream), {}};
  auto record = decode_record(value->record);
  if (!record)
    return error{"corrupt_record", "last event of stream " + std::string(stream)
                                     + ": " + record.error().message, {}};
  if (record->index != parts->index)
    return error{"corrupt_record", "last event of stream " + std::string(stream)
                                     + " has a record index unlike its key", {}};
  head.next = parts->index + 1;
  std::copy(record->hash.begin(), record->hash.end(), head.last_hash.begin());
  return head;
}

} // namespace baley::storage
