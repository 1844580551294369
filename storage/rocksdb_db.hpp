// Opening RocksDB for the log: the options an append-only log wants, every
// column family opened (missing ones created), Status turned into baley errors.
#pragma once
//
// Only storage/ includes this header. A db_handle owns the DB and its column
// family handles and closes them, checked, when destroyed.

#include "runtime/result.hpp"

#include <rocksdb/db.h>
#include <rocksdb/options.h>

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace baley::storage {

inline constexpr std::string_view log_family = "log";
inline constexpr std::string_view global_family = "global";

// log, global and every projection family of event_log.hpp (families::all).
std::vector<std::string> log_families();

rocksdb::DBOptions make_db_options();
rocksdb::ColumnFamilyOptions make_family_options(std::string_view family);

// "data_dir_locked" when another holder has the LOCK file, else "io_error".
error status_error(const rocksdb::Status& status, std::string_view what,
                   std::string_view dir);

class db_handle {
public:
  ~db_handle();
  // RocksDB's DB is thread-safe but not const-correct: reads need a DB&.
  rocksdb::DB& db() const { return *db_; }
  // nullptr for a family that was not opened.
  rocksdb::ColumnFamilyHandle* family(std::string_view name) const;

private:
  friend result<std::unique_ptr<db_handle>>
  open_db(const std::string& dir, const std::vector<std::string>& families);
  std::unique_ptr<rocksdb::DB> db_;
  std::map<std::string, rocksdb::ColumnFamilyHandle*, std::less<>> families_;
};

// Creates `dir` if needed and opens it with `families` plus any family the DB
// already has.
result<std::unique_ptr<db_handle>>
open_db(const std::string& dir, const std::vector<std::string>& families);

} // namespace baley::storage
