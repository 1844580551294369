// RocksDB options and opening for the log: WAL always on, no compression on
// the hot families, column families created on first open.
#include "storage/rocksdb_db.hpp"

#include "storage/event_log.hpp"
#include "storage/keys.hpp"

#include <rocksdb/convenience.h>
#include <rocksdb/slice_transform.h>

#include <algorithm>
#include <filesystem>
#include <set>

namespace baley::storage {

namespace {

// The stream part of a `log` key (all but the 8-byte index). Used only as the
// memtable insert hint: appends to one stream then cost O(1) skiplist steps
// instead of a search from the top.
class stream_of_log_key final : public rocksdb::SliceTransform {
public:
  const char* Name() const override { return "baley.stream_of_log_key"; }
  rocksdb::Slice Transform(const rocksdb::Slice& key) const override {
    return rocksdb::Slice(key.data(), key.size() - be64_size);
  }
  bool InDomain(const rocksdb::Slice& key) const override {
    return key.size() > be64_size;
  }
};

} // namespace

std::vector<std::string> log_families() {
  std::vector<std::string> names{std::string(log_family), std::string(global_family)};
  for (auto family : families::all)
    names.emplace_back(family);
  return names;
}

rocksdb::DBOptions make_db_options() {
  rocksdb::DBOptions options;
  options.create_if_missing = true;
  options.create_missing_column_families = true;
  options.max_background_jobs = 2;
  options.bytes_per_sync = 1 << 20;       // smooth SST writes
  options.keep_log_file_num = 4;          // RocksDB's own info LOG files
  options.max_log_file_size = 8 << 20;
  options.manual_wal_flush = false;       // every Write reaches the WAL file
  options.wal_recovery_mode = rocksdb::WALRecoveryMode::kPointInTimeRecovery;
  return options;
}

rocksdb::ColumnFamilyOptions make_family_options(std::string_view family) {
  rocksdb::ColumnFamilyOptions options;
  options.level_compaction_dynamic_level_bytes = true;
  if (family == log_family || family == global_family) {
    // Appends only: large memtables, and no compression on the levels that
    // are rewritten most, so compaction does not compete with the writer.
    options.write_buffer_size = 64 << 20;
    options.max_write_buffer_number = 4;
    options.compression = rocksdb::kNoCompression;
    // `global` keys only grow: one hint (the empty prefix) for all of them.
    options.memtable_insert_with_hint_prefix_extractor.reset(
      family == log_family
        ? static_cast<const rocksdb::SliceTransform*>(new stream_of_log_key)
        : rocksdb::NewFixedPrefixTransform(0));
    auto supported = rocksdb::GetSupportedCompressions();
    if (std::find(supported.begin(), supported.end(), rocksdb::kLZ4Compression)
        != supported.end())
      options.bottommost_compression = rocksdb::kLZ4Compression;
  }
  return options;
}

error status_error(const rocksdb::Status& status, std::string_view what,
                   std::string_view dir) {
  auto text = status.ToString();
  if (status.IsIOError() && text.find("/LOCK") != std::string::npos)
    return error{"data_dir_locked",
                 "data dir " + std::string(dir)
                   + " is locked by another process (is baley already running?)",
                 {}};
  return error{"io_error", std::string(what) + " " + std::string(dir) + ": " + text,
               {}};
}

db_handle::~db_handle() {
  if (!db_)
    return;
  for (auto& [name, handle] : families_)
    if (handle != nullptr)
      (void) db_->DestroyColumnFamilyHandle(handle);  // only fails for default
  // Close() flushes nothing (the WAL already holds every write); a failure
  // here cannot be reported to anyone and loses no acknowledged data.
  (void) db_->Close();
}

rocksdb::ColumnFamilyHandle* db_handle::family(std::string_view name) const {
  auto it = families_.find(name);
  return it == families_.end() ? nullptr : it->second;
}

result<std::unique_ptr<db_handle>>
open_db(const std::string& dir, const std::vector<std::string>& families) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec)
    return error{"io_error", "cannot create data dir " + dir + ": " + ec.message(), {}};

  auto db_options = make_db_options();
  std::set<std::string> names(families.begin(), families.end());
  names.insert(std::string(rocksdb::kDefaultColumnFamilyName));
  std::vector<std::string> existing;
  if (rocksdb::DB::ListColumnFamilies(db_options, dir, &existing).ok())
    names.insert(existing.begin(), existing.end());  // fails for a new DB

  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
  for (const auto& name : names)
    descriptors.emplace_back(name, make_family_options(name));
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* raw = nullptr;
  auto opened = rocksdb::DB::Open(db_options, dir, descriptors, &handles, &raw);
  if (!opened.ok())
    return status_error(opened, "cannot open data dir", dir);

  auto handle = std::unique_ptr<db_handle>(new db_handle);
  handle->db_.reset(raw);
  for (std::size_t i = 0; i < handles.size(); ++i)
    handle->families_.emplace(descriptors[i].name, handles[i]);
  return handle;
}

} // namespace baley::storage
