// Tests of opening RocksDB for the log: the column families come from the
// one list in event_log.hpp, and a data dir made before a family existed
// gains it on open.
#include "storage/rocksdb_db.hpp"

#include "storage/event_log.hpp"
#include "temp_dir.hpp"

#include <gtest/gtest.h>

#include <algorithm>

namespace baley::storage {
namespace {

using testing::temp_dir;

TEST(rocksdb_db, log_families_are_log_global_and_every_projection_family) {
  auto names = log_families();
  ASSERT_EQ(names.size(), families::all.size() + 2);
  EXPECT_EQ(names[0], log_family);
  EXPECT_EQ(names[1], global_family);
  for (auto family : families::all) {
    EXPECT_NE(std::find(names.begin(), names.end(), family), names.end()) << family;
    EXPECT_TRUE(families::known(family));
  }
  EXPECT_FALSE(families::known(log_family));
  EXPECT_FALSE(families::known(global_family));
  EXPECT_FALSE(families::known("default"));
  EXPECT_TRUE(families::known(families::executions_by_workspace));
  EXPECT_TRUE(families::known(families::idempotency));
  EXPECT_TRUE(families::known(families::webhook_logs));
}

TEST(rocksdb_db, a_data_dir_from_before_a_family_existed_gains_it) {
  temp_dir dir;
  {
    auto old = open_db(dir.path(), {std::string(log_family), std::string(global_family),
                                    std::string(families::executions)});
    ASSERT_TRUE(old) << old.error().message;
    EXPECT_EQ((*old)->family(families::webhook_logs), nullptr);
  }
  auto log = event_log::open({dir.path(), durability::buffered});
  ASSERT_TRUE(log) << log.error().message;
  append_request r;
  r.projections.push_back({std::string(families::webhook_logs),
                           families::compound_key("flow1", "log1"), "{}"});
  ASSERT_TRUE((*log)->append(std::move(r)));
  EXPECT_EQ(*(*log)->get_projection(families::webhook_logs,
                                    families::compound_key("flow1", "log1")), "{}");
}

} // namespace
} // namespace baley::storage
