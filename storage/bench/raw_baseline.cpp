// Raw RocksDB append throughput: the denominator of the bench's ratio. Uses
// the log family's options so the only difference is the event log itself.
#include "storage/bench/raw_baseline.hpp"

#include "storage/keys.hpp"
#include "storage/rocksdb_db.hpp"

#include <rocksdb/iterator.h>
#include <rocksdb/write_batch.h>

#include <atomic>
#include <chrono>
#include <latch>
#include <memory>
#include <thread>

namespace baley::storage {

namespace {

// Writes `count` puts as writer `id`; the first failure is kept in `failure`.
void write_puts(rocksdb::DB& db, rocksdb::ColumnFamilyHandle* family,
                const rocksdb::WriteOptions& options, std::uint64_t id,
                std::uint64_t count, std::size_t value_bytes,
                std::atomic<bool>& failed, std::string& failure) {
  std::string key;
  std::string value(value_bytes, 'x');
  rocksdb::WriteBatch batch;
  for (std::uint64_t i = 0; i < count && !failed.load(std::memory_order_relaxed); ++i) {
    key.clear();
    append_be64(key, id);
    append_be64(key, i);
    batch.Clear();
    auto put = batch.Put(family, key, value);
    if (put.ok())
      put = db.Write(options, &batch);
    if (!put.ok() && !failed.exchange(true)) {
      failure = put.ToString();
      return;
    }
  }
}

} // namespace

result<raw_baseline_figures> run_raw_baseline(const raw_baseline_options& options) {
  if (options.writers <= 0 || options.events == 0)
    return error{"invalid_argument", "baseline needs writers > 0 and events > 0", {}};
  auto db = open_db(options.dir, {std::string(log_family)});
  if (!db)
    return std::move(db).error();
  rocksdb::WriteOptions write_options;
  write_options.sync = options.mode == durability::fsync;

  auto writers = static_cast<std::uint64_t>(options.writers);
  std::atomic<bool> failed{false};
  std::vector<std::string> failures(writers);
  std::latch start(options.writers + 1);
  std::vector<std::thread> threads;
  for (std::uint64_t id = 0; id < writers; ++id) {
    auto count = options.events / writers + (id < options.events % writers ? 1 : 0);
    threads.emplace_back([&, id, count] {
      start.arrive_and_wait();
      write_puts((*db)->db(), (*db)->family(log_family), write_options, id, count,
                 options.value_bytes, failed, failures[id]);
    });
  }
  start.arrive_and_wait();
  auto began = std::chrono::steady_clock::now();
  for (auto& thread : threads)
    thread.join();
  std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - began;
  if (failed)
    for (const auto& failure : failures)
      if (!failure.empty())
        return error{"io_error", "baseline write failed: " + failure, {}};
  raw_baseline_figures figures{static_cast<double>(options.events) / elapsed.count(), 0};
  std::unique_ptr<rocksdb::Iterator> keys(
    (*db)->db().NewIterator(rocksdb::ReadOptions(), (*db)->family(log_family)));
  for (keys->SeekToFirst(); keys->Valid(); keys->Next())
    ++figures.stored;
  if (!keys->status().ok())
    return error{"io_error", "baseline count failed: " + keys->status().ToString(), {}};
  return figures;
}

} // namespace baley::storage
