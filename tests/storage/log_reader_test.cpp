// Tests of the scans of log_reader through event_log: scan_streams by stream
// prefix, and scan_projection_page with cursors in both directions, filters,
// and prefix boundaries.
#include "storage/log_reader.hpp"

#include "storage/event_log.hpp"
#include "temp_dir.hpp"

#include <gtest/gtest.h>

namespace baley::storage {
namespace {

using testing::temp_dir;

std::unique_ptr<event_log> open_log(const std::string& dir) {
  auto log = event_log::open({dir, durability::buffered});
  EXPECT_TRUE(log) << (log ? "" : log.error().message);
  return log ? std::move(*log) : nullptr;
}

std::string event_json(int n) {
  return R"({"type":"test","n":)" + std::to_string(n) + "}";
}

void append_events(event_log& log, const std::string& stream, std::vector<int> ns) {
  append_request r;
  r.stream = stream;
  for (int n : ns)
    r.events.push_back(event_json(n));
  ASSERT_TRUE(log.append(std::move(r)));
}

struct seen_event {
  std::string stream;
  std::uint64_t index;
  std::string event;
  bool operator==(const seen_event&) const = default;
};

std::vector<seen_event> scan(const event_log& log, std::string_view prefix) {
  std::vector<seen_event> seen;
  auto scanned = log.scan_streams(prefix, [&](const committed_event& e) {
    seen.push_back({e.stream, e.index.value(), std::string(event_bytes(e.record))});
  });
  EXPECT_TRUE(scanned) << (scanned ? "" : scanned.error().message);
  return seen;
}

TEST(scan_streams, visits_only_streams_under_the_prefix_in_key_order) {
  temp_dir dir;
  auto log = open_log(dir.path());
  append_events(*log, "flow/b", {0});
  append_events(*log, "flowx/a", {1});
  append_events(*log, "flow/a", {2, 3});
  append_events(*log, "flow", {4});
  append_events(*log, "exec/1", {5});
  append_events(*log, "flow/a/x", {6});
  append_events(*log, "flow/", {7});
  append_events(*log, "flow/a", {8});
  append_events(*log, "flox/a", {9});

  // "flow/" < "flow/a" < "flow/a/x" < "flow/b": the '\0' after a stream name
  // sorts before any character, so each stream's events stay together.
  std::vector<seen_event> expected{
    {"flow/", 0, event_json(7)},   {"flow/a", 0, event_json(2)},
    {"flow/a", 1, event_json(3)},  {"flow/a", 2, event_json(8)},
    {"flow/a/x", 0, event_json(6)}, {"flow/b", 0, event_json(0)}};
  EXPECT_EQ(scan(*log, "flow/"), expected);
  EXPECT_EQ(scan(*log, "flowx/"), (std::vector<seen_event>{{"flowx/a", 0, event_json(1)}}));
  EXPECT_EQ(scan(*log, "flow/a/").size(), 1u);
  EXPECT_TRUE(scan(*log, "hook/").empty());
  EXPECT_TRUE(scan(*log, "flow/c").empty());
  EXPECT_EQ(scan(*log, "").size(), 10u);
  EXPECT_EQ(scan(*log, "flo").size(), 9u);  // all but exec/1
}

TEST(scan_streams, reports_positions_and_records_as_read_stream_does) {
  temp_dir dir;
  auto log = open_log(dir.path());
  append_events(*log, "ws/1", {0, 1});
  append_events(*log, "conn/1", {2});
  append_events(*log, "ws/1", {3});
  std::vector<committed_event> scanned;
  ASSERT_TRUE(log->scan_streams("ws/", [&](const committed_event& e) {
    scanned.push_back(e);
  }));
  auto read = log->read_stream("ws/1", stream_index{0});
  ASSERT_TRUE(read);
  ASSERT_EQ(scanned.size(), read->size());
  for (std::size_t i = 0; i < scanned.size(); ++i) {
    EXPECT_EQ(scanned[i].stream, (*read)[i].stream);
    EXPECT_EQ(scanned[i].index, (*read)[i].index);
    EXPECT_EQ(scanned[i].position, (*read)[i].position);
    EXPECT_EQ(scanned[i].record, (*read)[i].record);
  }
  EXPECT_EQ(scanned.back().position.value(), 3u);
}

// --- scan_projection_page --------------------------------------------------

constexpr std::string_view family = families::executions_by_workspace;

std::string id(int n) {
  return (n < 10 ? "0" : "") + std::to_string(n);
}

void put(event_log& log, std::string_view owner, std::string_view key_id,
         std::string value, bool erase = false) {
  append_request r;
  r.projections.push_back({std::string(family), families::compound_key(owner, key_id),
                           std::move(value), erase});
  ASSERT_TRUE(log.append(std::move(r)));
}

// Workspace "w1" holds ids 01..10 (value "even"/"odd"); its neighbours "w10"
// and "w0" hold keys that a sloppy prefix would pick up.
void fill(event_log& log) {
  for (int n = 1; n <= 10; ++n)
    put(log, "w1", id(n), n % 2 == 0 ? "even" : "odd");
  put(log, "w10", "00", "even");
  put(log, "w10", "99", "even");
  put(log, "w0", "99", "even");
}

struct page {
  std::vector<std::string> ids;             // taken, without the prefix
  std::optional<std::string> next;          // cursor as returned
  int calls = 0;                            // times fn ran
};

page read_page(const event_log& log, std::string_view owner,
               std::optional<std::string> after, bool newest_first, std::size_t limit,
               std::string_view only = {}) {
  page out;
  auto prefix = families::compound_prefix(owner);
  auto next = log.scan_projection_page(
    family, prefix, std::move(after), newest_first, limit,
    [&](std::string_view key, std::string_view value) {
      ++out.calls;
      EXPECT_TRUE(key.starts_with(prefix));
      if (!only.empty() && value != only)
        return false;
      out.ids.emplace_back(key.substr(prefix.size()));
      return true;
    });
  EXPECT_TRUE(next) << (next ? "" : next.error().message);
  if (next)
    out.next = *next;
  return out;
}

// Follows cursors to the end; returns the pages' ids.
std::vector<std::vector<std::string>> all_pages(const event_log& log, bool newest_first,
                                                std::size_t limit,
                                                std::string_view only = {}) {
  std::vector<std::vector<std::string>> pages;
  std::optional<std::string> cursor;
  do {
    auto p = read_page(log, "w1", cursor, newest_first, limit, only);
    pages.push_back(p.ids);
    if (p.next) {
      EXPECT_EQ(*p.next, families::compound_key("w1", p.ids.back()));
    }
    cursor = p.next;
  } while (cursor && pages.size() < 20);
  return pages;
}

using pages = std::vector<std::vector<std::string>>;

TEST(scan_projection_page, pages_forward_and_backward_with_cursors) {
  temp_dir dir;
  auto log = open_log(dir.path());
  fill(*log);
  EXPECT_EQ(all_pages(*log, false, 4),
            (pages{{"01", "02", "03", "04"}, {"05", "06", "07", "08"}, {"09", "10"}}));
  EXPECT_EQ(all_pages(*log, true, 4),
            (pages{{"10", "09", "08", "07"}, {"06", "05", "04", "03"}, {"02", "01"}}));
  // A last page that fills exactly has no cursor: the look-ahead saw no key.
  EXPECT_EQ(all_pages(*log, true, 5),
            (pages{{"10", "09", "08", "07", "06"}, {"05", "04", "03", "02", "01"}}));
  EXPECT_EQ(all_pages(*log, false, 10).size(), 1u);
  EXPECT_EQ(all_pages(*log, true, 500).front().size(), 10u);
}

TEST(scan_projection_page, a_filter_still_fills_the_page_and_fn_stops_at_the_limit) {
  temp_dir dir;
  auto log = open_log(dir.path());
  fill(*log);
  auto first = read_page(*log, "w1", std::nullopt, true, 2, "even");
  EXPECT_EQ(first.ids, (std::vector<std::string>{"10", "08"}));
  EXPECT_EQ(first.calls, 3);  // 10, 09 (rejected), 08; not 07, the look-ahead
  ASSERT_TRUE(first.next);
  EXPECT_EQ(*first.next, families::compound_key("w1", "08"));

  EXPECT_EQ(all_pages(*log, true, 2, "even"), (pages{{"10", "08"}, {"06", "04"}, {"02"}}));
  EXPECT_EQ(all_pages(*log, false, 2, "odd"),
            (pages{{"01", "03"}, {"05", "07"}, {"09"}}));
  // Keys remain after the last match: the cursor leads to an empty last page.
  EXPECT_EQ(all_pages(*log, false, 1, "odd"),
            (pages{{"01"}, {"03"}, {"05"}, {"07"}, {"09"}, {}}));
  EXPECT_EQ(all_pages(*log, false, 1, "even").size(), 5u);  // ends on "10"
  auto none = read_page(*log, "w1", std::nullopt, false, 3, "neither");
  EXPECT_TRUE(none.ids.empty());
  EXPECT_FALSE(none.next);
  EXPECT_EQ(none.calls, 10);
}

TEST(scan_projection_page, a_cursor_resumes_after_its_key_even_once_erased) {
  temp_dir dir;
  auto log = open_log(dir.path());
  fill(*log);
  auto forward = read_page(*log, "w1", std::nullopt, false, 3);
  auto backward = read_page(*log, "w1", std::nullopt, true, 3);
  put(*log, "w1", "03", "", true);
  put(*log, "w1", "08", "", true);
  EXPECT_EQ(read_page(*log, "w1", forward.next, false, 3).ids,
            (std::vector<std::string>{"04", "05", "06"}));
  EXPECT_EQ(read_page(*log, "w1", backward.next, true, 3).ids,
            (std::vector<std::string>{"07", "06", "05"}));
  // A cursor past the last key, or before the first, ends the list.
  auto past = read_page(*log, "w1", families::compound_key("w1", "99"), false, 3);
  EXPECT_TRUE(past.ids.empty());
  EXPECT_FALSE(past.next);
  auto before = read_page(*log, "w1", families::compound_key("w1", "00"), true, 3);
  EXPECT_TRUE(before.ids.empty());
  EXPECT_FALSE(before.next);
  // The prefix itself as a cursor is before every key of the list.
  EXPECT_EQ(read_page(*log, "w1", families::compound_prefix("w1"), false, 2).ids,
            (std::vector<std::string>{"01", "02"}));
}

TEST(scan_projection_page, keeps_to_the_prefix_at_both_ends) {
  temp_dir dir;
  auto log = open_log(dir.path());
  fill(*log);
  EXPECT_EQ(all_pages(*log, true, 100).front().front(), "10");
  EXPECT_EQ(read_page(*log, "w10", std::nullopt, true, 10).ids,
            (std::vector<std::string>{"99", "00"}));
  EXPECT_EQ(read_page(*log, "w0", std::nullopt, false, 10).ids,
            (std::vector<std::string>{"99"}));
  EXPECT_TRUE(read_page(*log, "w2", std::nullopt, true, 10).ids.empty());
  EXPECT_TRUE(read_page(*log, "w", std::nullopt, false, 10).ids.empty());
}

TEST(scan_projection_page, handles_an_empty_prefix_and_0xff_bytes) {
  temp_dir dir;
  auto log = open_log(dir.path());
  for (auto key : {std::string("a"), std::string("\xff"), std::string("\xff\x01"),
                   std::string("\xff\xff"), std::string("\xff\xff\x00", 3)}) {
    append_request r;
    r.projections.push_back({std::string(families::meta), key, "v"});
    ASSERT_TRUE(log->append(std::move(r)));
  }
  auto keys = [&](std::string_view prefix, bool newest_first) {
    std::vector<std::string> out;
    auto next = log->scan_projection_page(
      families::meta, prefix, std::nullopt, newest_first, 10,
      [&](std::string_view key, std::string_view) { out.emplace_back(key); return true; });
    EXPECT_TRUE(next && !*next);
    return out;
  };
  EXPECT_EQ(keys("", true).size(), 5u);
  EXPECT_EQ(keys("", true).front(), std::string("\xff\xff\x00", 3));
  EXPECT_EQ(keys("\xff", true),
            (std::vector<std::string>{std::string("\xff\xff\x00", 3), "\xff\xff",
                                      "\xff\x01", "\xff"}));
  EXPECT_EQ(keys("\xff\xff", false),
            (std::vector<std::string>{"\xff\xff", std::string("\xff\xff\x00", 3)}));
}

TEST(scan_projection_page, rejects_foreign_cursors_zero_limits_and_unknown_families) {
  temp_dir dir;
  auto log = open_log(dir.path());
  fill(*log);
  auto never = [](std::string_view, std::string_view) {
    ADD_FAILURE() << "fn must not run";
    return true;
  };
  auto prefix = families::compound_prefix("w1");
  auto foreign = log->scan_projection_page(family, prefix, families::compound_key("w10", "00"),
                                           true, 5, never);
  ASSERT_FALSE(foreign);
  EXPECT_EQ(foreign.error().code, "invalid_cursor");
  auto zero = log->scan_projection_page(family, prefix, std::nullopt, true, 0, never);
  ASSERT_FALSE(zero);
  EXPECT_EQ(zero.error().code, "invalid_page");
  for (auto name : {"log", "global", "default", "nope"}) {
    auto unknown = log->scan_projection_page(name, "", std::nullopt, false, 5, never);
    ASSERT_FALSE(unknown) << name;
    EXPECT_EQ(unknown.error().code, "unknown_family") << name;
  }
}

} // namespace
} // namespace baley::storage
