// Group commit for the event log: appends arriving during a write join the
// next WriteBatch; each caller is answered once its batch is durable.
#pragma once
//
// Threads: append() may be called from any thread. One writer thread owns the
// stream-head cache, assigns indexes, positions and hashes, writes each batch
// with the log's durability, then calls the commit listener once per batch and
// the callbacks in request order. Listener and callbacks run on the writer
// thread, must not throw and must not wait for another append.
// Failure: a failed RocksDB write fails its batch and every later append
// ("log_failed"); there is no retry. After close(), append() answers
// "log_closed" at once on the calling thread.

#include "storage/event_log.hpp"
#include "storage/hash_chain.hpp"
#include "storage/histogram.hpp"
#include "storage/projector.hpp"
#include "storage/stream_head.hpp"

#include <rocksdb/options.h>
#include <rocksdb/write_batch.h>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <unordered_map>

namespace baley::storage {

class db_handle;

class group_commit {
public:
  // Starts the writer thread. `db` must outlive this object.
  group_commit(db_handle& db, durability mode, global_position next_position);
  ~group_commit();  // close()
  group_commit(const group_commit&) = delete;
  group_commit& operator=(const group_commit&) = delete;

  void append(append_request request, append_callback done);
  void set_listener(commit_listener listener);
  // Before the first append only (the writer reads it without a lock).
  void set_projector(std::shared_ptr<projector> derive);
  writer_stats stats() const;
  // Commits everything already queued, then joins the writer.
  void close();

private:
  struct pending {
    append_request request;
    append_callback done;
    std::optional<error> rejected;  // found invalid before queueing
  };
  struct outcome {
    std::optional<error> failure;
    std::size_t first = 0;  // range in committed_
    std::size_t last = 0;
  };

  void run();
  void commit(std::vector<pending>& batch);
  outcome stage(pending& request, global_position& position);
  result<stream_head*> head_for(const std::string& stream);
  bool put_staged(std::vector<pending>& batch);
  bool stage_projection(const projection_put& put);
  bool stage_put(const projection_put& put, bool readable);
  void answer(std::vector<pending>& batch, const std::optional<error>& batch_failure);

  db_handle& db_;
  rocksdb::WriteOptions write_options_;

  std::mutex mutex_;
  std::condition_variable wake_;
  std::vector<pending> queue_;
  bool stopping_ = false;
  bool closed_ = false;
  commit_listener listener_;
  bool listener_changed_ = false;
  std::thread writer_;

  std::atomic<std::uint64_t> batches_{0};
  std::atomic<std::uint64_t> events_{0};
  std::atomic<std::uint64_t> requests_{0};
  // Written by the writer thread only, after each committing Write.
  histogram_recorder<commit_seconds_bounds.size()> commit_seconds_{commit_seconds_bounds};
  histogram_recorder<batch_events_bounds.size()> batch_events_{batch_events_bounds};

  // Writer thread only.
  global_position next_position_;
  commit_listener active_listener_;  // copied from listener_ when it changes
  bool failed_ = false;
  std::string failure_message_;
  std::unordered_map<std::string, stream_head> heads_;
  chain_hasher hasher_;
  rocksdb::WriteBatch batch_;
  std::vector<committed_event> committed_;
  std::vector<outcome> outcomes_;
  // The derived projections, and the puts of this batch a derive() may read:
  // those of watched families and the derived ones (family ‖ '\0' ‖ key ->
  // value; nullopt: erased).
  std::shared_ptr<projector> projector_;
  class overlay_reader;
  std::unordered_map<std::string, std::optional<std::string>> overlay_;
  std::vector<projection_put> derived_;
  std::string key_buffer_;
  std::string value_buffer_;
};

} // namespace baley::storage
