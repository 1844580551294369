// Tests of the Idempotency-Key index: a key names one execution per workspace
// for 24 h (inclusive), its projection, loading it back, and the sweep.
#include "http/idempotency_index.hpp"

#include "storage/execution_projections.hpp"

#include <gtest/gtest.h>

#include "tests/storage/temp_dir.hpp"

#include <map>
#include <string>

namespace baley::http {
namespace {

constexpr unix_ms t0 = 1'700'000'000'000;
constexpr unix_ms day = 24 * 3600 * 1000;

std::string stored_key(std::string_view ws, std::string_view key) {
  std::string k(ws);
  k.push_back('\0');
  k.append(key);
  return k;
}

// A real log in a temporary directory holding the given projection rows
// (family -> key -> value), written in one batch of projections only.
class log_with_rows {
public:
  using rows = std::map<std::string, std::map<std::string, std::string>>;

  explicit log_with_rows(const rows& families) {
    auto opened = storage::event_log::open({dir_.path(), storage::durability::buffered});
    EXPECT_TRUE(opened) << opened.error().message;
    log_ = std::move(opened).value();
    storage::append_request request;
    for (const auto& [family, by_key] : families)
      for (const auto& [key, value] : by_key)
        request.projections.push_back({family, key, value});
    EXPECT_TRUE(log_->append(std::move(request)));
  }
  ~log_with_rows() { log_->close(); }

  const storage::event_log& operator*() const { return *log_; }

private:
  storage::testing::temp_dir dir_;
  std::unique_ptr<storage::event_log> log_;
};

TEST(idempotency_index, the_window_is_24_hours_and_keys_are_at_most_255_bytes) {
  EXPECT_EQ(idempotency_index::window_ms, 86'400'000);
  EXPECT_EQ(idempotency_index::max_key_bytes, 255u);
}

TEST(idempotency_index, a_recorded_key_names_its_execution_for_24_hours_inclusive) {
  idempotency_index index;
  EXPECT_EQ(index.find("ws1", "k1", t0), std::nullopt);
  (void)index.record("ws1", "k1", "exec-1", t0);
  EXPECT_EQ(index.find("ws1", "k1", t0), "exec-1");
  EXPECT_EQ(index.find("ws1", "k1", t0 + 1), "exec-1");
  EXPECT_EQ(index.find("ws1", "k1", t0 + day), "exec-1");
  EXPECT_EQ(index.find("ws1", "k1", t0 + day + 1), std::nullopt);
  EXPECT_EQ(index.size(), 1u);
}

TEST(idempotency_index, keys_are_per_workspace_and_exact) {
  idempotency_index index;
  (void)index.record("ws1", "k1", "exec-1", t0);
  (void)index.record("ws2", "k1", "exec-2", t0);
  EXPECT_EQ(index.find("ws1", "k1", t0), "exec-1");
  EXPECT_EQ(index.find("ws2", "k1", t0), "exec-2");
  EXPECT_EQ(index.find("ws3", "k1", t0), std::nullopt);
  EXPECT_EQ(index.find("ws1", "K1", t0), std::nullopt);
  EXPECT_EQ(index.find("ws1", "k1 ", t0), std::nullopt);
  EXPECT_EQ(index.find("ws1", "k", t0), std::nullopt);
  EXPECT_EQ(index.size(), 2u);
}

TEST(idempotency_index, recording_a_key_again_restarts_its_window) {
  idempotency_index index;
  (void)index.record("ws1", "k1", "exec-1", t0);
  (void)index.record("ws1", "k1", "exec-2", t0 + day + 5);
  EXPECT_EQ(index.find("ws1", "k1", t0 + 2 * day + 5), "exec-2");
  EXPECT_EQ(index.find("ws1", "k1", t0 + 2 * day + 6), std::nullopt);
  EXPECT_EQ(index.size(), 1u);
}

// The projection is written with the execution_start that records the key.
storage::projection_put idempotency_put(const std::string& workspace_id, const std::string& key,
                                        const std::string& execution_id, unix_ms at) {
  std::vector<storage::projection_put> puts;
  runtime::execution_start start{.flow_id = "f", .workspace_id = workspace_id,
                                 .idempotency_key = key};
  storage::execution_puts(execution_id, {}, {runtime::execution_event{at, start}}, {}, puts);
  for (auto& put : puts)
    if (put.family == "idempotency")
      return put;
  ADD_FAILURE() << "no idempotency put";
  return {};
}

TEST(idempotency_index, the_key_is_written_with_its_execution_start) {
  auto put = idempotency_put("ws1", "my-key", "exec-1", t0);
  EXPECT_EQ(put.key, stored_key("ws1", "my-key"));
  EXPECT_EQ(put.value, R"({"executionId":"exec-1","at":1700000000000})");
  EXPECT_FALSE(put.erase);
}

TEST(idempotency_index, load_keeps_the_entries_of_the_last_24_hours_and_skips_malformed_ones) {
  log_with_rows log({{"idempotency",
                      {{stored_key("ws1", "fresh"), R"({"executionId":"e1","at":1700000000000})"},
                       // now - 24 h
                       {stored_key("ws1", "edge"), R"({"executionId":"e2","at":1699913600000})"},
                       {stored_key("ws1", "old"), R"({"executionId":"e3","at":1699913599999})"},
                       {stored_key("ws1", "no-id"), R"({"at":1700000000000})"},
                       {stored_key("ws1", "id-number"), R"({"executionId":7,"at":1700000000000})"},
                       {stored_key("ws1", "at-text"), R"({"executionId":"e4","at":"today"})"},
                       {stored_key("ws1", "array"), R"([1,2])"},
                       {stored_key("ws1", "not-json"), "{"}}},
                     {"executions",
                      {{stored_key("ws1", "other-family"),
                        R"({"executionId":"e5","at":1700000000000})"}}}});

  auto index = idempotency_index::load(*log, t0);
  ASSERT_TRUE(index) << index.error().message;
  EXPECT_EQ(index->size(), 2u);
  EXPECT_EQ(index->find("ws1", "fresh", t0), "e1");
  EXPECT_EQ(index->find("ws1", "edge", t0), "e2");
  EXPECT_EQ(index->find("ws1", "edge", t0 + 1), std::nullopt);
  EXPECT_EQ(index->find("ws1", "old", t0), std::nullopt);
  EXPECT_EQ(index->find("ws1", "other-family", t0), std::nullopt);
}

TEST(idempotency_index, load_reads_back_what_an_execution_start_wrote) {
  auto put = idempotency_put("ws1", "k1", "exec-1", t0);
  log_with_rows log({{put.family, {{put.key, put.value}}}});
  auto loaded = idempotency_index::load(*log, t0 + day);
  ASSERT_TRUE(loaded);
  EXPECT_EQ(loaded->find("ws1", "k1", t0 + day), "exec-1");
}

TEST(idempotency_index, load_skips_an_entry_whose_time_is_not_a_whole_number_of_ms) {
  // The stored value is read like every malformed one: skipped, not thrown.
  log_with_rows log(
    {{"idempotency",
      {{stored_key("ws1", "fraction"), R"({"executionId":"e1","at":1700000000000.5})"},
       {stored_key("ws1", "huge"), R"({"executionId":"e2","at":1e300})"},
       {stored_key("ws1", "ok"), R"({"executionId":"e3","at":1700000000000})"}}}});
  std::optional<result<idempotency_index>> index;
  EXPECT_NO_THROW(index.emplace(idempotency_index::load(*log, t0)));
  ASSERT_TRUE(index && *index);
  EXPECT_EQ((*index)->find("ws1", "ok", t0), "e3");
  EXPECT_EQ((*index)->find("ws1", "fraction", t0), std::nullopt);
  EXPECT_EQ((*index)->size(), 1u);
}

TEST(idempotency_index, expired_keys_are_swept_once_4096_are_held) {
  idempotency_index index;
  for (int i = 0; i < 4096; ++i)
    (void)index.record("ws1", "old-" + std::to_string(i), "e", t0);
  EXPECT_EQ(index.size(), 4096u);
  // Still in the window: nothing goes.
  (void)index.record("ws1", "new-0", "e", t0 + day);
  EXPECT_EQ(index.size(), 4097u);
  for (int i = 1; i < 1024; ++i)
    (void)index.record("ws1", "new-" + std::to_string(i), "e", t0 + day);
  EXPECT_EQ(index.size(), 5120u);
  // At 5,120 held, a record past the window of the first 4,096 sweeps them.
  (void)index.record("ws1", "late", "e-late", t0 + day + 1);
  EXPECT_EQ(index.size(), 1025u);
  EXPECT_EQ(index.find("ws1", "late", t0 + day + 1), "e-late");
  EXPECT_EQ(index.find("ws1", "new-5", t0 + day + 1), "e");
}

TEST(idempotency_index, fewer_than_4096_keys_are_never_swept) {
  idempotency_index index;
  for (int i = 0; i < 4095; ++i)
    (void)index.record("ws1", "old-" + std::to_string(i), "e", t0);
  (void)index.record("ws1", "late", "e", t0 + 10 * day);
  EXPECT_EQ(index.size(), 4096u);
  // Expired entries are invisible even before they are swept.
  EXPECT_EQ(index.find("ws1", "old-0", t0 + 10 * day), std::nullopt);
}

} // namespace
} // namespace baley::http
