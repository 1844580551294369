// The writer thread of the event log: drain the queue, stage every request
// into one WriteBatch, write it once, then tell the listener and the callers.
#include "storage/group_commit.hpp"

#include "storage/keys.hpp"
#include "storage/record.hpp"
#include "storage/rocksdb_db.hpp"

#include <algorithm>
#include <chrono>
#include <iterator>

namespace baley::storage {
using std::to_string;  // and named_type's, found by ADL

namespace {

// Heads cached per stream; past this many the cache starts over (reloading a
// head costs one seek), so a log with millions of streams stays bounded.
constexpr std::size_t max_cached_heads = 1 << 16;

std::optional<error> validate(const append_request& request) {
  auto invalid = [](std::string message) {
    return error{"invalid_append", std::move(message), {}};
  };
  if (request.stream.find('\0') != std::string::npos)
    return invalid("stream name contains a NUL byte");
  if (request.stream.empty() && (!request.events.empty() || request.expected_next))
    return invalid("events need a stream name");
  for (const auto& event : request.events)
    if (auto checked = check_event_shape(event); !checked)
      return checked.error();
  for (const auto& put : request.projections)
    if (!families::known(put.family))
      return invalid("unknown projection family \"" + put.family + "\"");
  return std::nullopt;
}

} // namespace

// What a derive() reads: this batch's staged puts over the committed ones.
class group_commit::overlay_reader final : public staged_reader {
public:
  explicit overlay_reader(const group_commit& writer) : writer_(writer) {}
  result<std::optional<std::string>> get(std::string_view family,
                                         std::string_view key) const override {
    if (!writer_.overlay_.empty()) {
      auto it = writer_.overlay_.find(families::compound_key(family, key));
      if (it != writer_.overlay_.end())
        return it->second;
    }
    auto* handle = writer_.db_.family(family);
    if (handle == nullptr)
      return error{"unknown_family", "no projection family \"" + std::string(family) + "\"", {}};
    std::string value;
    auto found = writer_.db_.db().Get(rocksdb::ReadOptions(), handle, key, &value);
    if (found.IsNotFound())
      return std::optional<std::string>();
    if (!found.ok())
      return error{"io_error", "projection read failed: " + found.ToString(), {}};
    return std::optional<std::string>(std::move(value));
  }

private:
  const group_commit& writer_;
};

group_commit::group_commit(db_handle& db, durability mode,
                           global_position next_position)
  : db_(db), next_position_(next_position) {
  write_options_.sync = mode == durability::fsync;
  write_options_.disableWAL = false;
  writer_ = std::thread([this] { run(); });
}

group_commit::~group_commit() { close(); }

void group_commit::append(append_request request, append_callback done) {
  auto rejected = validate(request);
  {
    std::unique_lock lock(mutex_);
    if (!closed_) {
      queue_.push_back(pending{std::move(request), std::move(done), std::move(rejected)});
      lock.unlock();
      wake_.notify_one();
      return;
    }
  }
  if (done)
    done(error{"log_closed", "the event log is closed", {}});
}

void group_commit::set_listener(commit_listener listener) {
  std::lock_guard lock(mutex_);
  listener_ = std::move(listener);
  listener_changed_ = true;
}

void group_commit::set_projector(std::shared_ptr<projector> derive) {
  projector_ = std::move(derive);
}

writer_stats group_commit::stats() const {
  writer_stats stats;
  stats.batches = batches_.load(std::memory_order_relaxed);
  stats.events = events_.load(std::memory_order_relaxed);
  stats.requests = requests_.load(std::memory_order_relaxed);
  stats.commit_seconds = commit_seconds_.snapshot();
  stats.batch_events = batch_events_.snapshot();
  return stats;
}

void group_commit::close() {
  {
    std::lock_guard lock(mutex_);
    closed_ = true;
    stopping_ = true;
  }
  wake_.notify_one();
  // From a callback (the writer thread itself) the join is left to the
  // destructor, which must then run on another thread.
  if (writer_.joinable() && writer_.get_id() != std::this_thread::get_id())
    writer_.join();
}

void group_commit::run() {
  std::vector<pending> batch;
  for (;;) {
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [this] { return !queue_.empty() || stopping_; });
      if (queue_.empty())
        return;  // stopping, and everything queued was answered
      batch.swap(queue_);
      if (listener_changed_) {
        active_listener_ = listener_;
        listener_changed_ = false;
      }
    }
    commit(batch);
    batch.clear();
  }
}

void group_commit::commit(std::vector<pending>& batch) {
  outcomes_.clear();
  if (failed_) {
    answer(batch, error{"log_failed", failure_message_, {}});
    return;
  }
  if (heads_.size() > max_cached_heads)
    heads_.clear();  // only between batches: staged heads are never dropped
  batch_.Clear();
  committed_.clear();
  auto position = next_position_;
  for (auto& request : batch)
    outcomes_.push_back(stage(request, position));

  if (!put_staged(batch)) {
    failed_ = true;
    answer(batch, error{"log_failed", failure_message_, {}});
    return;
  }
  if (batch_.Count() > 0) {
    // The cost the callers wait for: WAL append and, in fsync mode, fsync.
    auto began = std::chrono::steady_clock::now();
    auto written = db_.db().Write(write_options_, &batch_);
    std::chrono::duration<double> took = std::chrono::steady_clock::now() - began;
    if (!written.ok()) {
      failed_ = true;
      failure_message_ = "event log write failed: " + written.ToString();
      answer(batch, error{"log_failed", failure_message_, {}});
      return;
    }
    commit_seconds_.observe(took.count());
    batch_events_.observe(static_cast<double>(committed_.size()));
    batches_.fetch_add(1, std::memory_order_relaxed);
  }
  next_position_ = position;
  events_.fetch_add(committed_.size(), std::memory_order_relaxed);
  requests_.fetch_add(batch.size(), std::memory_order_relaxed);
  if (active_listener_ && !committed_.empty())
    active_listener_(committed_);
  answer(batch, std::nullopt);
}

group_commit::outcome group_commit::stage(pending& request, global_position& position) {
  outcome result;
  if (request.rejected) {
    result.failure = std::move(request.rejected);
    return result;
  }
  auto& req = request.request;
  result.first = result.last = committed_.size();
  if (req.stream.empty())
    return result;  // projections only
  auto head = head_for(req.stream);
  if (!head) {
    result.failure = head.error();
    return result;
  }
  auto& current = **head;
  if (req.expected_next && *req.expected_next != current.next) {
    result.failure = error{"wrong_expected_index",
                           "stream " + req.stream + ": expected next index "
                             + to_string(*req.expected_next) + " but it is "
                             + to_string(current.next), {}};
    return result;
  }
  auto saved = current;
  for (const auto& event : req.events) {
    hash_hex hash;
    std::string_view prev(current.last_hash.data(), current.last_hash.size());
    if (!hasher_.hash(prev, event, hash)) {
      current = saved;
      committed_.resize(result.first);
      result.failure = error{"io_error", "SHA-256 failed in OpenSSL", {}};
      return result;
    }
    committed_event committed;
    committed.stream = req.stream;
    committed.index = current.next;
    committed.position = position + (committed_.size() - result.first);
    committed.record.reserve(record_size(current.next, event.size()) + be64_size);
    encode_record(committed.record, current.next, prev,
                  std::string_view(hash.data(), hash.size()), event);
    committed_.push_back(std::move(committed));
    current.next += 1;
    current.last_hash = hash;
  }
  position += committed_.size() - result.first;
  result.last = committed_.size();
  return result;
}

result<stream_head*> group_commit::head_for(const std::string& stream) {
  if (auto it = heads_.find(stream); it != heads_.end())
    return &it->second;
  auto loaded = load_stream_head(db_, stream);
  if (!loaded)
    return std::move(loaded).error();
  return &heads_.emplace(stream, *loaded).first->second;
}

// Puts every staged event (log + global) and projection into batch_. A Put
// fails only for a batch over RocksDB's size limits; that fails the batch.
bool group_commit::put_staged(std::vector<pending>& batch) {
  auto* log = db_.family(log_family);
  auto* global = db_.family(global_family);
  for (std::size_t i = 0; i < batch.size(); ++i) {
    const auto& result = outcomes_[i];
    if (result.failure)
      continue;
    for (auto e = result.first; e < result.last; ++e) {
      auto& event = committed_[e];
      make_log_key(key_buffer_, event.stream, event.index);
      // The stored value is record ‖ be64 position; the trailer is appended
      // in place (capacity was reserved) and cut off again after the Put.
      auto record_bytes = event.record.size();
      append_be64(event.record, event.position.value());
      auto put = batch_.Put(log, key_buffer_, event.record);
      event.record.resize(record_bytes);
      if (put.ok()) {
        value_buffer_.assign(key_buffer_);
        key_buffer_.clear();
        append_be64(key_buffer_, event.position.value());
        put = batch_.Put(global, key_buffer_, value_buffer_);
      }
      if (!put.ok()) {
        failure_message_ = "event log batch rejected: " + put.ToString();
        return false;
      }
    }
    for (const auto& projection : batch[i].request.projections)
      if (!stage_projection(projection))
        return false;
  }
  overlay_.clear();
  return true;
}

// One put of a request, and what the projector derives from it before it.
bool group_commit::stage_projection(const projection_put& put) {
  if (!projector_ || !projector_->watches(put.family))
    return stage_put(put, false);
  derived_.clear();
  if (auto derived = projector_->derive(put, overlay_reader(*this), derived_); !derived) {
    failure_message_ = "projection failed: " + derived.error().message;
    overlay_.clear();
    return false;
  }
  if (!stage_put(put, true))
    return false;
  for (const auto& d : derived_) {
    if (!families::known(d.family)) {
      failure_message_ = "projection failed: unknown projection family \"" + d.family + "\"";
      overlay_.clear();
      return false;
    }
    if (!stage_put(d, true))
      return false;
  }
  return true;
}

bool group_commit::stage_put(const projection_put& put, bool readable) {
  auto* family = db_.family(put.family);
  auto staged = put.erase ? batch_.Delete(family, put.key)
                          : batch_.Put(family, put.key, put.value);
  if (!staged.ok()) {
    failure_message_ = "event log batch rejected: " + staged.ToString();
    overlay_.clear();
    return false;
  }
  if (readable)
    overlay_[families::compound_key(put.family, put.key)] =
      put.erase ? std::nullopt : std::optional<std::string>(put.value);
  return true;
}

void group_commit::answer(std::vector<pending>& batch,
                          const std::optional<error>& batch_failure) {
  for (std::size_t i = 0; i < batch.size(); ++i) {
    auto& done = batch[i].done;
    if (!done)
      continue;
    const auto* result = i < outcomes_.size() ? &outcomes_[i] : nullptr;
    if (result && result->failure) {
      done(*result->failure);
    } else if (batch_failure) {
      done(*batch_failure);
    } else {
      std::vector<committed_event> events(
        std::make_move_iterator(committed_.begin() + result->first),
        std::make_move_iterator(committed_.begin() + result->last));
      done(std::move(events));
    }
  }
}

} // namespace baley::storage
