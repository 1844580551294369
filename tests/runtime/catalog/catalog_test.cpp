// Tests for runtime/catalog: the fold of config events and its lookups:
// versions, deletion, revocation, workspace isolation, webhooks, ordering.
#include "runtime/catalog/catalog.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <string>
#include <vector>

namespace baley::runtime {
namespace {

namespace json = boost::json;

constexpr unix_ms t0 = 1'732'802'587'000;

// UUIDv7-shaped ids whose text order is their creation order.
std::string id(int n) {
  auto digits = std::to_string(n);
  return "01937a2b-0000-7000-8000-" + std::string(12 - digits.size(), '0') + digits;
}

const std::string ws_a = id(1);
const std::string ws_b = id(2);

json::value flow_named(const char* name) {
  return json::object{{"name", name}, {"nodes", json::array{}}, {"edges", json::array{}}};
}

class catalog_test : public ::testing::Test {
protected:
  void SetUp() override {
    apply(t0, workspace_created{ws_a, "default"});
    apply(t0, workspace_created{ws_b, "other"});
  }
  void apply(unix_ms ts, config_event_payload payload) {
    catalog_.apply(config_event{ts, std::move(payload)});
  }
  template <class Record>
  static std::vector<std::string> ids(const std::vector<const Record*>& records) {
    std::vector<std::string> out;
    for (const auto* r : records)
      out.push_back(r->id);
    return out;
  }

  catalog catalog_;
};

TEST(catalog_empty, answers_nothing) {
  catalog c;
  EXPECT_TRUE(c.empty());
  EXPECT_EQ(c.workspace("w"), nullptr);
  EXPECT_EQ(c.token_by_hash("h"), nullptr);
  EXPECT_EQ(c.flow("w", "f"), nullptr);
  EXPECT_EQ(c.webhook("f"), nullptr);
  EXPECT_TRUE(c.flows("w").empty());
}

TEST_F(catalog_test, workspaces) {
  EXPECT_FALSE(catalog_.empty());
  const auto* ws = catalog_.workspace(ws_a);
  ASSERT_NE(ws, nullptr);
  EXPECT_EQ(ws->id, ws_a);
  EXPECT_EQ(ws->name, "default");
  EXPECT_EQ(ws->created_at, t0);
  EXPECT_EQ(catalog_.workspace(id(99)), nullptr);
}

TEST_F(catalog_test, tokens_are_found_by_hash_and_by_id) {
  apply(t0 + 1, token_created{id(10), ws_a, "ci", "hash-10", token_role::admin});
  const auto* by_hash = catalog_.token_by_hash("hash-10");
  ASSERT_NE(by_hash, nullptr);
  EXPECT_EQ(by_hash->id, id(10));
  EXPECT_EQ(by_hash->workspace_id, ws_a);
  EXPECT_EQ(by_hash->name, "ci");
  EXPECT_EQ(by_hash->role, token_role::admin);
  EXPECT_EQ(by_hash->created_at, t0 + 1);
  EXPECT_EQ(catalog_.token(ws_a, id(10)), by_hash);
  EXPECT_EQ(catalog_.token(ws_b, id(10)), nullptr);
  EXPECT_EQ(catalog_.token_by_hash("hash-11"), nullptr);
}

TEST_F(catalog_test, a_revoked_token_is_refused_at_once) {
  apply(t0, token_created{id(10), ws_a, "ci", "hash-10", token_role::member});
  apply(t0, token_created{id(11), ws_a, "ui", "hash-11", token_role::session});
  apply(t0 + 5, token_revoked{id(10)});
  EXPECT_EQ(catalog_.token_by_hash("hash-10"), nullptr);
  EXPECT_EQ(catalog_.token(ws_a, id(10)), nullptr);
  ASSERT_NE(catalog_.token_by_hash("hash-11"), nullptr);
  EXPECT_EQ(catalog_.token_by_hash("hash-11")->id, id(11));

  apply(t0 + 6, token_revoked{id(77)});  // unknown: ignored
  EXPECT_NE(catalog_.token_by_hash("hash-11"), nullptr);
}

TEST_F(catalog_test, a_new_flow_version_replaces_the_record) {
  apply(t0 + 10, flow_saved{id(20), ws_a, 1, flow_named("v1")});
  const auto* first = catalog_.flow(ws_a, id(20));
  ASSERT_NE(first, nullptr);
  EXPECT_EQ(first->version, 1u);
  EXPECT_EQ(first->created_at, t0 + 10);
  EXPECT_EQ(first->updated_at, t0 + 10);

  apply(t0 + 20, flow_saved{id(20), ws_a, 2, flow_named("v2")});
  apply(t0 + 30, flow_saved{id(20), ws_a, 3, flow_named("v3")});
  const auto* latest = catalog_.flow(ws_a, id(20));
  ASSERT_NE(latest, nullptr);
  EXPECT_EQ(latest->id, id(20));
  EXPECT_EQ(latest->workspace_id, ws_a);
  EXPECT_EQ(latest->version, 3u);
  EXPECT_EQ(latest->flow.at("name"), "v3");
  EXPECT_EQ(latest->created_at, t0 + 10);
  EXPECT_EQ(latest->updated_at, t0 + 30);
  EXPECT_FALSE(latest->deleted);
  EXPECT_EQ(catalog_.flows(ws_a).size(), 1u);
}

TEST_F(catalog_test, a_deleted_flow_is_absent) {
  apply(t0, flow_saved{id(20), ws_a, 1, flow_named("kept")});
  apply(t0, flow_saved{id(21), ws_a, 1, flow_named("gone")});
  apply(t0 + 1, flow_deleted{id(21)});
  EXPECT_EQ(catalog_.flow(ws_a, id(21)), nullptr);
  EXPECT_NE(catalog_.flow(ws_a, id(20)), nullptr);
  EXPECT_EQ(ids(catalog_.flows(ws_a)), (std::vector<std::string>{id(20)}));

  apply(t0 + 2, flow_deleted{id(99)});  // unknown: ignored
  EXPECT_EQ(catalog_.flows(ws_a).size(), 1u);
}

TEST_F(catalog_test, blocks_have_versions_and_deletion) {
  json::value v1 = json::object{{"name", "b"}, {"type", "function-block"},
                                {"config", json::object{{"code", "."}}}};
  json::value v2 = json::object{{"name", "b"}, {"type", "function-block"},
                                {"config", json::object{{"code", ".x"}}}};
  apply(t0 + 1, block_saved{id(30), ws_a, 1, v1});
  apply(t0 + 2, block_saved{id(30), ws_a, 2, v2});
  const auto* block = catalog_.block(ws_a, id(30));
  ASSERT_NE(block, nullptr);
  EXPECT_EQ(block->version, 2u);
  EXPECT_EQ(block->block, v2);
  EXPECT_EQ(block->created_at, t0 + 1);
  EXPECT_EQ(block->updated_at, t0 + 2);

  apply(t0 + 3, block_deleted{id(30)});
  EXPECT_EQ(catalog_.block(ws_a, id(30)), nullptr);
  EXPECT_TRUE(catalog_.blocks(ws_a).empty());
}

TEST_F(catalog_test, connections_have_versions_and_deletion) {
  apply(t0 + 1, connection_saved{id(40), ws_a, 1, "local", "openai", "http://a", "k1"});
  apply(t0 + 2, connection_saved{id(40), ws_a, 2, "local2", "ollama", "http://b", "k2"});
  const auto* conn = catalog_.connection(ws_a, id(40));
  ASSERT_NE(conn, nullptr);
  EXPECT_EQ(conn->version, 2u);
  EXPECT_EQ(conn->name, "local2");
  EXPECT_EQ(conn->type, "ollama");
  EXPECT_EQ(conn->base_url, "http://b");
  EXPECT_EQ(conn->api_key_sealed, "k2");
  EXPECT_EQ(conn->created_at, t0 + 1);
  EXPECT_EQ(conn->updated_at, t0 + 2);

  apply(t0 + 3, connection_deleted{id(40)});
  EXPECT_EQ(catalog_.connection(ws_a, id(40)), nullptr);
  EXPECT_TRUE(catalog_.connections(ws_a).empty());
}

TEST_F(catalog_test, patterns_have_versions_deletion_and_their_workspace) {
  json::value v1 = json::object{{"name", "p"}, {"blockId", "b"}, {"condition", "true"}};
  json::value v2 = json::object{{"name", "p2"}, {"blockId", "b"}, {"condition", "false"}};
  apply(t0 + 1, pattern_saved{id(50), ws_a, 1, v1});
  apply(t0 + 2, pattern_saved{id(50), ws_a, 2, v2});
  const auto* pattern = catalog_.pattern(ws_a, id(50));
  ASSERT_NE(pattern, nullptr);
  EXPECT_EQ(pattern->version, 2u);
  EXPECT_EQ(pattern->pattern, v2);
  EXPECT_EQ(pattern->created_at, t0 + 1);
  EXPECT_EQ(pattern->updated_at, t0 + 2);
  EXPECT_EQ(catalog_.pattern(ws_b, id(50)), nullptr);
  EXPECT_TRUE(catalog_.patterns(ws_b).empty());
  EXPECT_EQ(catalog_.all_patterns().size(), 1u);

  apply(t0 + 3, pattern_deleted{id(50)});
  EXPECT_EQ(catalog_.pattern(ws_a, id(50)), nullptr);
  EXPECT_TRUE(catalog_.patterns(ws_a).empty());
  EXPECT_TRUE(catalog_.all_patterns().empty());
}

TEST_F(catalog_test, a_save_expects_the_stream_index_of_its_version) {
  json::value b = json::object{{"name", "b"}};
  EXPECT_EQ(catalog_.next_index_of(block_saved{id(60), ws_a, 1, b}), stream_index{0});
  apply(t0 + 1, block_saved{id(60), ws_a, 1, b});
  // Two saves made from version 1: the first lands at 1, the second expects
  // 1 too, which is taken once the first is folded.
  EXPECT_EQ(catalog_.next_index_of(block_saved{id(60), ws_a, 2, b}), stream_index{1});
  apply(t0 + 2, block_saved{id(60), ws_a, 2, b});
  EXPECT_EQ(catalog_.next_index_of(block_saved{id(60), ws_a, 2, b}), stream_index{1});
  EXPECT_EQ(catalog_.next_index_of(block_saved{id(60), ws_a, 3, b}), stream_index{2});
  // A stream an older build wrote a version twice into still takes saves.
  apply(t0 + 3, block_saved{id(60), ws_a, 3, b});
  apply(t0 + 4, block_saved{id(60), ws_a, 3, b});
  EXPECT_EQ(catalog_.next_index_of(block_saved{id(60), ws_a, 4, b}), stream_index{4});
  EXPECT_EQ(catalog_.next_index_of(pattern_saved{id(61), ws_a, 1, b}), stream_index{0});
  EXPECT_EQ(catalog_.next_index_of(block_deleted{id(60)}), std::nullopt);
}

TEST_F(catalog_test, another_workspace_sees_nothing) {
  apply(t0, token_created{id(10), ws_a, "ci", "hash-10", token_role::member});
  apply(t0, flow_saved{id(20), ws_a, 1, flow_named("a")});
  apply(t0, block_saved{id(30), ws_a, 1, json::object{}});
  apply(t0, connection_saved{id(40), ws_a, 1, "c", "simulated", "", ""});
  apply(t0, webhook_saved{id(20), ws_a, "s", true, 10, 20});

  EXPECT_EQ(catalog_.token(ws_b, id(10)), nullptr);
  EXPECT_EQ(catalog_.flow(ws_b, id(20)), nullptr);
  EXPECT_EQ(catalog_.block(ws_b, id(30)), nullptr);
  EXPECT_EQ(catalog_.connection(ws_b, id(40)), nullptr);
  EXPECT_EQ(catalog_.webhook(ws_b, id(20)), nullptr);
  EXPECT_TRUE(catalog_.flows(ws_b).empty());
  EXPECT_TRUE(catalog_.blocks(ws_b).empty());
  EXPECT_TRUE(catalog_.connections(ws_b).empty());

  EXPECT_NE(catalog_.token(ws_a, id(10)), nullptr);
  EXPECT_NE(catalog_.flow(ws_a, id(20)), nullptr);
  EXPECT_NE(catalog_.block(ws_a, id(30)), nullptr);
  EXPECT_NE(catalog_.connection(ws_a, id(40)), nullptr);
  EXPECT_NE(catalog_.webhook(ws_a, id(20)), nullptr);
  EXPECT_EQ(catalog_.flows(ws_a).size(), 1u);
  EXPECT_EQ(catalog_.blocks(ws_a).size(), 1u);
  EXPECT_EQ(catalog_.connections(ws_a).size(), 1u);
}

// `baley run` saves flows without a workspace: no workspace of the server
// sees them.
TEST_F(catalog_test, a_flow_without_workspace_is_nobodys) {
  apply(t0, flow_saved{id(20), "", 1, flow_named("cli")});
  EXPECT_EQ(catalog_.flow(ws_a, id(20)), nullptr);
  EXPECT_TRUE(catalog_.flows(ws_a).empty());
  EXPECT_NE(catalog_.flow("", id(20)), nullptr);
}

TEST_F(catalog_test, a_regenerated_webhook_keeps_its_creation_time) {
  apply(t0, flow_saved{id(20), ws_a, 1, flow_named("f")});
  apply(t0 + 1, webhook_saved{id(20), ws_a, "first", true, 10, 20});
  const auto* hook = catalog_.webhook(id(20));
  ASSERT_NE(hook, nullptr);
  EXPECT_EQ(hook->flow_id, id(20));
  EXPECT_EQ(hook->workspace_id, ws_a);
  EXPECT_EQ(hook->secret_sealed, "first");
  EXPECT_EQ(hook->created_at, t0 + 1);

  apply(t0 + 2, webhook_saved{id(20), ws_a, "second", false, 2.5, 5});
  hook = catalog_.webhook(id(20));
  ASSERT_NE(hook, nullptr);
  EXPECT_EQ(hook->secret_sealed, "second");
  EXPECT_FALSE(hook->enabled);
  EXPECT_DOUBLE_EQ(hook->rate_per_second, 2.5);
  EXPECT_DOUBLE_EQ(hook->burst, 5);
  EXPECT_EQ(hook->created_at, t0 + 1);
  EXPECT_EQ(catalog_.webhook(ws_a, id(20)), hook);
}

TEST_F(catalog_test, a_deleted_webhook_is_absent_until_created_again) {
  apply(t0, flow_saved{id(20), ws_a, 1, flow_named("f")});
  apply(t0 + 1, webhook_saved{id(20), ws_a, "first", true, 10, 20});
  apply(t0 + 2, webhook_deleted{id(20)});
  EXPECT_EQ(catalog_.webhook(id(20)), nullptr);
  EXPECT_EQ(catalog_.webhook(ws_a, id(20)), nullptr);

  apply(t0 + 3, webhook_saved{id(20), ws_a, "again", true, 10, 20});
  ASSERT_NE(catalog_.webhook(id(20)), nullptr);
  EXPECT_EQ(catalog_.webhook(id(20))->created_at, t0 + 3);
  EXPECT_EQ(catalog_.webhook(id(20))->secret_sealed, "again");
}

TEST_F(catalog_test, the_webhook_of_a_deleted_or_unknown_flow_is_absent) {
  apply(t0, webhook_saved{id(21), ws_a, "orphan", true, 10, 20});
  EXPECT_EQ(catalog_.webhook(id(21)), nullptr);

  apply(t0, flow_saved{id(20), ws_a, 1, flow_named("f")});
  apply(t0 + 1, webhook_saved{id(20), ws_a, "s", true, 10, 20});
  apply(t0 + 2, flow_deleted{id(20)});
  EXPECT_EQ(catalog_.webhook(id(20)), nullptr);
  EXPECT_EQ(catalog_.webhook(ws_a, id(20)), nullptr);
}

TEST_F(catalog_test, lists_are_newest_first_by_id) {
  // Saved out of id order, and the oldest updated last: order stays by id.
  for (int n : {22, 20, 23, 21})
    apply(t0 + n, flow_saved{id(n), ws_a, 1, flow_named("f")});
  apply(t0 + 100, flow_saved{id(20), ws_a, 2, flow_named("f")});
  apply(t0, flow_saved{id(24), ws_b, 1, flow_named("other")});
  EXPECT_EQ(ids(catalog_.flows(ws_a)),
            (std::vector<std::string>{id(23), id(22), id(21), id(20)}));

  for (int n : {31, 33, 32})
    apply(t0, block_saved{id(n), ws_a, 1, json::object{}});
  apply(t0, block_deleted{id(33)});
  EXPECT_EQ(ids(catalog_.blocks(ws_a)), (std::vector<std::string>{id(32), id(31)}));

  for (int n : {41, 42, 40})
    apply(t0, connection_saved{id(n), ws_a, 1, "c", "simulated", "", ""});
  EXPECT_EQ(ids(catalog_.connections(ws_a)),
            (std::vector<std::string>{id(42), id(41), id(40)}));
}

} // namespace
} // namespace baley::runtime
