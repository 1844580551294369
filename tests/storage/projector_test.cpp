// Tests of projectors on a real event log: derived puts commit with their
// request, see the batch's staged puts, and a failing derive fails the log.
#include "storage/projector.hpp"

#include "storage/event_log.hpp"
#include "temp_dir.hpp"
#include "writer_gate.hpp"

#include <gtest/gtest.h>

#include <condition_variable>
#include <future>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace baley::storage {
namespace {

using testing::temp_dir;
using testing::collected;
using testing::writer_gate;

using testing::append_result;

constexpr std::string_view counter_family = families::flows;
constexpr std::string_view counter_key = "counter";

std::unique_ptr<event_log> open_log(const std::string& dir) {
  auto log = event_log::open({dir, durability::buffered});
  EXPECT_TRUE(log) << (log ? "" : log.error().message);
  return log ? std::move(*log) : nullptr;
}

projection_put put(std::string_view family, std::string key, std::string value) {
  return {.family = std::string(family), .key = std::move(key), .value = std::move(value)};
}

append_request request(std::string stream, std::vector<projection_put> puts,
                       std::optional<std::uint64_t> expected = std::nullopt) {
  append_request r;
  r.stream = std::move(stream);
  if (expected) r.expected_next = stream_index{*expected};
  if (!r.stream.empty())
    r.events.push_back(R"({"type":"test"})");
  r.projections = std::move(puts);
  return r;
}

// For each put of a watched family: notes it with the value it replaces (as
// the staged reader shows it), then writes counter + 1 to flows/"counter",
// read through the staged reader. A put with key "boom" fails the derive.
class counting_projector final : public projector {
public:
  struct call {
    std::string family;
    std::string key;
    std::optional<std::string> replaced;
  };

  explicit counting_projector(std::set<std::string> watched) : watched_(std::move(watched)) {}

  bool watches(std::string_view family) const override {
    return watched_.contains(std::string(family));
  }

  status derive(const projection_put& p, const staged_reader& read,
                std::vector<projection_put>& out) override {
    std::lock_guard lock(mutex_);
    if (p.key == "boom") {
      calls_.push_back({p.family, p.key, std::nullopt});
      return error{"io_error", "boom refused", {}};
    }
    auto replaced = read.get(p.family, p.key);
    if (!replaced)
      return replaced.error();
    calls_.push_back({p.family, p.key, *replaced});
    auto counter = read.get(counter_family, counter_key);
    if (!counter)
      return counter.error();
    auto n = *counter ? std::stoll(**counter) : 0;
    out.push_back(put(counter_family, std::string(counter_key), std::to_string(n + 1)));
    return ok;
  }

  std::vector<call> calls() const {
    std::lock_guard lock(mutex_);
    return calls_;
  }

private:
  std::set<std::string> watched_;
  mutable std::mutex mutex_;
  std::vector<call> calls_;
};

std::shared_ptr<counting_projector> watching_meta() {
  return std::make_shared<counting_projector>(std::set<std::string>{std::string(families::meta)});
}

std::optional<std::string> projection(const event_log& log, std::string_view family,
                                      std::string_view key) {
  auto got = log.get_projection(family, key);
  EXPECT_TRUE(got) << (got ? "" : got.error().message);
  return got ? *got : std::nullopt;
}

std::optional<std::string> counter(const event_log& log) {
  return projection(log, counter_family, counter_key);
}


TEST(projector, derived_puts_commit_with_their_request) {
  temp_dir dir;
  auto log = open_log(dir.path());
  auto counting = watching_meta();
  log->set_projector(counting);

  auto first = log->append(request("s", {put(families::meta, "a", "1")}));
  ASSERT_TRUE(first) << first.error().message;
  EXPECT_EQ(counter(*log), "1");
  EXPECT_EQ(projection(*log, families::meta, "a"), "1");
  EXPECT_EQ(log->read_stream("s", stream_index{0})->size(), 1u);

  // Two puts in one request: two derives, each after the other's staged put.
  ASSERT_TRUE(log->append(
    request("s", {put(families::meta, "b", "2"), put(families::meta, "c", "3")})));
  EXPECT_EQ(counter(*log), "3");
  // A request of projections only derives too.
  ASSERT_TRUE(log->append(request("", {put(families::meta, "d", "4")})));
  EXPECT_EQ(counter(*log), "4");
  auto calls = counting->calls();
  ASSERT_EQ(calls.size(), 4u);
  EXPECT_EQ(calls[0].key, "a");
  EXPECT_EQ(calls[1].key, "b");
  EXPECT_EQ(calls[2].key, "c");
  EXPECT_EQ(calls[3].key, "d");
  EXPECT_FALSE(calls[0].replaced);
}

TEST(projector, a_rejected_request_derives_nothing) {
  temp_dir dir;
  auto log = open_log(dir.path());
  auto counting = watching_meta();
  log->set_projector(counting);
  ASSERT_TRUE(log->append(request("s", {put(families::meta, "a", "1")})));

  auto stale = log->append(request("s", {put(families::meta, "late", "x")}, 0));
  ASSERT_FALSE(stale);
  EXPECT_EQ(stale.error().code, "wrong_expected_index");
  EXPECT_EQ(counter(*log), "1");
  EXPECT_FALSE(projection(*log, families::meta, "late"));
  EXPECT_EQ(counting->calls().size(), 1u);
  // The log goes on.
  ASSERT_TRUE(log->append(request("s", {put(families::meta, "b", "2")}, 1)));
  EXPECT_EQ(counter(*log), "2");
}

TEST(projector, a_derive_sees_the_value_its_put_replaces) {
  temp_dir dir;
  auto log = open_log(dir.path());
  auto counting = watching_meta();
  log->set_projector(counting);
  ASSERT_TRUE(log->append(request("s", {put(families::meta, "k", "old")})));
  ASSERT_TRUE(log->append(request("s", {put(families::meta, "k", "new")})));
  // And within one request, the value staged just before.
  ASSERT_TRUE(log->append(
    request("s", {put(families::meta, "k", "newer"), put(families::meta, "k", "newest")})));
  auto calls = counting->calls();
  ASSERT_EQ(calls.size(), 4u);
  EXPECT_EQ(calls[0].replaced, std::nullopt);
  EXPECT_EQ(calls[1].replaced, "old");
  EXPECT_EQ(calls[2].replaced, "new");
  EXPECT_EQ(calls[3].replaced, "newer");
  EXPECT_EQ(projection(*log, families::meta, "k"), "newest");
  EXPECT_EQ(counter(*log), "4");
}

TEST(projector, requests_in_one_batch_see_each_others_staged_puts) {
  temp_dir dir;
  auto log = open_log(dir.path());
  auto counting = watching_meta();
  log->set_projector(counting);
  writer_gate gate(*log);
  collected answers;

  log->append_async(request("first", {put(families::meta, "first", "0")}), answers.slot(-1));
  gate.wait_until_held();
  constexpr int queued = 60;
  for (int i = 0; i < queued; ++i)
    log->append_async(request("s" + std::to_string(i % 5),
                              {put(families::meta, "k" + std::to_string(i), std::to_string(i))}),
                      answers.slot(i));
  // Two more requests putting one key: the second derive sees the first's value.
  log->append_async(request("", {put(families::meta, "dup", "x")}), answers.slot(100));
  log->append_async(request("", {put(families::meta, "dup", "y")}), answers.slot(101));
  // A rejected request in the same batch derives nothing.
  log->append_async(request("s0", {put(families::meta, "stale", "z")}, 99), answers.slot(102));
  gate.release();
  answers.wait_for(queued + 4);

  for (auto& [id, r] : answers.results)
    EXPECT_EQ(static_cast<bool>(r), id != 102) << id;
  EXPECT_EQ(answers.results.at(102).error().code, "wrong_expected_index");
  EXPECT_EQ(log->stats().batches, 2u);  // the held one, then all the others
  // 1 + 60 + 2 puts counted, each derive reading the counter staged before it.
  EXPECT_EQ(counter(*log), std::to_string(1 + queued + 2));
  auto calls = counting->calls();
  ASSERT_EQ(calls.size(), std::size_t{1 + queued + 2});
  for (int i = 0; i < queued; ++i)
    EXPECT_EQ(calls[1 + i].key, "k" + std::to_string(i)) << "commit order";
  EXPECT_EQ(calls[1 + queued].replaced, std::nullopt);
  EXPECT_EQ(calls[2 + queued].replaced, "x");
  EXPECT_EQ(projection(*log, families::meta, "dup"), "y");
  EXPECT_FALSE(projection(*log, families::meta, "stale"));
}

TEST(projector, a_failing_derive_fails_its_batch_and_every_later_append) {
  temp_dir dir;
  auto log = open_log(dir.path());
  auto counting = watching_meta();
  log->set_projector(counting);
  writer_gate gate(*log);
  collected answers;

  log->append_async(request("s", {put(families::meta, "a", "1")}), answers.slot(0));
  gate.wait_until_held();
  log->append_async(request("s", {put(families::meta, "b", "2")}), answers.slot(1));
  log->append_async(request("t", {put(families::meta, "boom", "!")}), answers.slot(2));
  log->append_async(request("u", {put(families::meta, "c", "3")}), answers.slot(3));
  gate.release();
  answers.wait_for(4);

  ASSERT_TRUE(answers.results.at(0));
  for (int id : {1, 2, 3}) {
    auto& r = answers.results.at(id);
    ASSERT_FALSE(r) << id;
    EXPECT_EQ(r.error().code, "log_failed") << id;
    EXPECT_NE(r.error().message.find("boom refused"), std::string::npos) << r.error().message;
  }
  // Nothing of the failed batch was written: not the events, not the puts.
  EXPECT_EQ(counter(*log), "1");
  EXPECT_FALSE(projection(*log, families::meta, "b"));
  EXPECT_EQ(log->read_stream("s", stream_index{0})->size(), 1u);
  EXPECT_TRUE(log->read_stream("t", stream_index{0})->empty());
  EXPECT_TRUE(log->read_stream("u", stream_index{0})->empty());

  auto later = log->append(request("v", {}));
  ASSERT_FALSE(later);
  EXPECT_EQ(later.error().code, "log_failed");
  auto later_put = log->append(request("", {put(families::executions, "e", "{}")}));
  ASSERT_FALSE(later_put);
  EXPECT_EQ(later_put.error().code, "log_failed");
  EXPECT_FALSE(projection(*log, families::executions, "e"));
}

TEST(projector, unwatched_families_are_not_passed_to_derive) {
  temp_dir dir;
  auto log = open_log(dir.path());
  auto counting = watching_meta();
  log->set_projector(counting);
  ASSERT_TRUE(log->append(request("s", {put(families::executions, "e1", "{}"),
                                        put(families::flows, "f1", "{}"),
                                        put(families::meta, "m1", "v"),
                                        put(families::idempotency, "i1", "{}"),
                                        put(families::decisions, "d1", "{}")})));
  auto calls = counting->calls();
  ASSERT_EQ(calls.size(), 1u);
  EXPECT_EQ(calls[0].family, families::meta);
  EXPECT_EQ(calls[0].key, "m1");
  EXPECT_EQ(counter(*log), "1");
  // The unwatched puts are written all the same.
  EXPECT_EQ(projection(*log, families::executions, "e1"), "{}");
  EXPECT_EQ(projection(*log, families::flows, "f1"), "{}");
  EXPECT_EQ(projection(*log, families::decisions, "d1"), "{}");
}

TEST(projector, derived_puts_are_not_derived_from_again) {
  temp_dir dir;
  auto log = open_log(dir.path());
  // Watches the counter's family too: only puts from requests are derived.
  auto counting = std::make_shared<counting_projector>(
    std::set<std::string>{std::string(families::meta), std::string(counter_family)});
  log->set_projector(counting);
  ASSERT_TRUE(log->append(request("s", {put(families::meta, "m", "v")})));
  auto calls = counting->calls();
  ASSERT_EQ(calls.size(), 1u);
  EXPECT_EQ(calls[0].family, families::meta);
  EXPECT_EQ(counter(*log), "1");
  ASSERT_TRUE(log->append(request("s", {put(counter_family, "f", "{}")})));
  EXPECT_EQ(counting->calls().size(), 2u);
  EXPECT_EQ(counter(*log), "2");
}

TEST(projector, an_erase_of_a_watched_family_is_derived_and_then_erased) {
  temp_dir dir;
  auto log = open_log(dir.path());
  auto counting = watching_meta();
  log->set_projector(counting);
  ASSERT_TRUE(log->append(request("s", {put(families::meta, "k", "v")})));
  projection_put erase{.family = std::string(families::meta), .key = "k", .erase = true};
  ASSERT_TRUE(log->append(request("s", {erase, put(families::meta, "k2", "w")})));
  auto calls = counting->calls();
  ASSERT_EQ(calls.size(), 3u);
  EXPECT_EQ(calls[1].replaced, "v");
  EXPECT_FALSE(projection(*log, families::meta, "k"));
  EXPECT_EQ(counter(*log), "3");
}

// --- scan_projection_range ---

std::vector<std::pair<std::string, std::string>> scan_range(const event_log& log,
                                                            std::string_view family,
                                                            std::string_view begin,
                                                            std::string_view end,
                                                            std::size_t stop_after = SIZE_MAX) {
  std::vector<std::pair<std::string, std::string>> seen;
  auto scanned = log.scan_projection_range(family, begin, end,
                                           [&](std::string_view k, std::string_view v) {
                                             seen.emplace_back(k, v);
                                             return seen.size() < stop_after;
                                           });
  EXPECT_TRUE(scanned) << (scanned ? "" : scanned.error().message);
  return seen;
}

using pairs = std::vector<std::pair<std::string, std::string>>;

TEST(projector, scan_projection_range_is_half_open_and_in_key_order) {
  temp_dir dir;
  auto log = open_log(dir.path());
  std::vector<projection_put> puts;
  for (auto key : {"e", "a", "d", "b", "c"})
    puts.push_back(put(families::meta, key, std::string("v") + key));
  ASSERT_TRUE(log->append(request("", std::move(puts))));

  EXPECT_EQ(scan_range(*log, families::meta, "b", "d"), (pairs{{"b", "vb"}, {"c", "vc"}}));
  EXPECT_EQ(scan_range(*log, families::meta, "a", "z"),
            (pairs{{"a", "va"}, {"b", "vb"}, {"c", "vc"}, {"d", "vd"}, {"e", "ve"}}));
  // Bounds between keys, and an empty range.
  EXPECT_EQ(scan_range(*log, families::meta, "bb", "dd"), (pairs{{"c", "vc"}, {"d", "vd"}}));
  EXPECT_TRUE(scan_range(*log, families::meta, "c", "c").empty());
  EXPECT_TRUE(scan_range(*log, families::meta, "f", "z").empty());
  // Other families are not seen.
  EXPECT_TRUE(scan_range(*log, families::flows, "a", "z").empty());
}

TEST(projector, scan_projection_range_stops_when_fn_returns_false) {
  temp_dir dir;
  auto log = open_log(dir.path());
  std::vector<projection_put> puts;
  for (int i = 0; i < 10; ++i)
    puts.push_back(put(families::meta, "k" + std::to_string(i), "v"));
  ASSERT_TRUE(log->append(request("", std::move(puts))));
  auto seen = scan_range(*log, families::meta, "k0", "k9", 3);
  ASSERT_EQ(seen.size(), 3u);
  EXPECT_EQ(seen[0].first, "k0");
  EXPECT_EQ(seen[2].first, "k2");
  EXPECT_EQ(scan_range(*log, families::meta, "k3", "k~", 1).size(), 1u);
}

TEST(projector, scan_projection_range_over_compound_keys) {
  temp_dir dir;
  auto log = open_log(dir.path());
  ASSERT_TRUE(log->append(request(
    "", {put(families::executions_by_workspace, families::compound_key("ws-2", "e1"), "3"),
         put(families::executions_by_workspace, families::compound_key("ws-1", "e2"), "2"),
         put(families::executions_by_workspace, families::compound_key("ws-1", "e1"), "1"),
         put(families::executions_by_workspace, families::compound_key("ws-10", "e1"), "4")})));
  auto ws1 = scan_range(*log, families::executions_by_workspace,
                        families::compound_prefix("ws-1"), families::compound_key("ws-1", "\xff"));
  EXPECT_EQ(ws1, (pairs{{families::compound_key("ws-1", "e1"), "1"},
                        {families::compound_key("ws-1", "e2"), "2"}}));
}

TEST(projector, scan_projection_range_of_an_unknown_family_fails) {
  temp_dir dir;
  auto log = open_log(dir.path());
  auto scanned = log->scan_projection_range("nope", "a", "z",
                                            [](std::string_view, std::string_view) {
                                              return true;
                                            });
  ASSERT_FALSE(scanned);
  EXPECT_EQ(scanned.error().code, "unknown_family");
}

// --- clear_projections ---

TEST(projector, clear_projections_empties_every_family_and_keeps_the_streams) {
  temp_dir dir;
  auto log = open_log(dir.path());
  auto counting = watching_meta();
  log->set_projector(counting);
  for (int round = 0; round < 3; ++round) {
    std::vector<projection_put> puts;
    for (auto family : families::all)
      puts.push_back(put(family, "k" + std::to_string(round), "v"));
    ASSERT_TRUE(log->append(request("exec/" + std::to_string(round % 2), std::move(puts))));
  }
  EXPECT_EQ(counter(*log), "3");

  ASSERT_TRUE(log->clear_projections());
  for (auto family : families::all) {
    int keys = 0;
    ASSERT_TRUE(log->scan_projection(family, "", [&](std::string_view, std::string_view) {
      ++keys;
    }));
    EXPECT_EQ(keys, 0) << family;
    EXPECT_FALSE(projection(*log, family, "k0")) << family;
  }
  EXPECT_FALSE(counter(*log));

  // The streams are untouched: readable, chained, indexes and positions go on.
  EXPECT_EQ(log->read_stream("exec/0", stream_index{0})->size(), 2u);
  EXPECT_EQ(log->read_stream("exec/1", stream_index{0})->size(), 1u);
  EXPECT_EQ(log->read_global(global_position{0}, 100)->size(), 3u);
  auto audit = log->audit(std::nullopt);
  ASSERT_TRUE(audit);
  EXPECT_TRUE(audit->valid) << audit->reason;
  auto next = log->append(request("exec/1", {put(families::meta, "after", "v")}, 1));
  ASSERT_TRUE(next) << next.error().message;
  EXPECT_EQ((*next)[0].index.value(), 1u);
  EXPECT_EQ((*next)[0].position.value(), 3u);
  EXPECT_EQ(projection(*log, families::meta, "after"), "v");
  EXPECT_EQ(counter(*log), "1");  // counted afresh from the cleared row
}

} // namespace
} // namespace baley::storage
