// event_log over RocksDB: opens the data dir, recovers the next global
// position, and routes appends to the group-commit writer and reads to
// log_reader / audit.
#include "storage/event_log.hpp"

#include "storage/audit.hpp"
#include "storage/group_commit.hpp"
#include "storage/log_reader.hpp"
#include "storage/rocksdb_db.hpp"
#include "storage/stream_head.hpp"
#include "storage/wake_relay.hpp"


namespace baley::storage {

namespace {

class rocksdb_event_log final : public event_log {
public:
  rocksdb_event_log(std::unique_ptr<db_handle> db, durability mode,
                    global_position next_position)
    : db_(std::move(db)), writer_(*db_, mode, next_position) {}

  // Members are destroyed in reverse order: the writer joins before the
  // relay stops and the DB closes.
  ~rocksdb_event_log() override { writer_.close(); }

  void append_async(append_request request, append_callback done) override {
    writer_.append(std::move(request), std::move(done));
  }

  result<std::vector<committed_event>> append(append_request request) override {
    return relay_.wait([&](append_callback done) {
      writer_.append(std::move(request), std::move(done));
    });
  }

  void set_commit_listener(commit_listener listener) override {
    writer_.set_listener(std::move(listener));
  }

  void set_projector(std::shared_ptr<projector> derive) override {
    writer_.set_projector(std::move(derive));
  }

  result<std::vector<committed_event>>
  read_stream(std::string_view stream, stream_index from, std::size_t limit) const override {
    return storage::read_stream(*db_, stream, from, limit);
  }

  result<std::vector<committed_event>>
  read_global(global_position from, std::size_t limit) const override {
    return storage::read_global(*db_, from, limit);
  }

  result<stream_index> next_index(std::string_view stream) const override {
    auto head = load_stream_head(*db_, stream);
    if (!head)
      return std::move(head).error();
    return head->next;
  }

  result<std::optional<std::string>>
  get_projection(std::string_view family, std::string_view key) const override {
    return storage::get_projection(*db_, family, key);
  }

  status scan_projection(
    std::string_view family, std::string_view prefix,
    const std::function<void(std::string_view, std::string_view)>& fn) const override {
    return storage::scan_projection(*db_, family, prefix, fn);
  }

  status scan_projection_range(
    std::string_view family, std::string_view begin, std::string_view end,
    const std::function<bool(std::string_view, std::string_view)>& fn) const override {
    return storage::scan_projection_range(*db_, family, begin, end, fn);
  }

  status clear_projections() override { return storage::clear_projections(*db_); }

  result<std::optional<std::string>> scan_projection_page(
    std::string_view family, std::string_view prefix,
    std::optional<std::string> after_key, bool newest_first, std::size_t limit,
    const std::function<bool(std::string_view, std::string_view)>& fn) const override {
    return storage::scan_projection_page(*db_, family, prefix, std::move(after_key),
                                         newest_first, limit, fn);
  }

  status scan_streams(
    std::string_view stream_prefix,
    const std::function<void(const committed_event&)>& fn) const override {
    return storage::scan_streams(*db_, stream_prefix, fn);
  }

  result<audit_report> audit(std::optional<std::string_view> stream) const override {
    return audit_log(*db_, stream);
  }

  writer_stats stats() const override { return writer_.stats(); }

  void close() override { writer_.close(); }

private:
  std::unique_ptr<db_handle> db_;
  wake_relay relay_;     // outlives the writer, whose callbacks post to it
  group_commit writer_;
};

} // namespace

result<std::unique_ptr<event_log>> event_log::open(const log_options& options) {
  auto db = open_db(options.dir, log_families());
  if (!db)
    return std::move(db).error();
  auto next_position = next_global_position(**db);
  if (!next_position)
    return std::move(next_position).error();
  return std::unique_ptr<event_log>(
    new rocksdb_event_log(std::move(*db), options.mode, *next_position));
}

} // namespace baley::storage
