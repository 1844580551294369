// Saves of one resource at the same time (flows, blocks, patterns): each
// version is written once. A save that another request overtook answers 409
// `conflict` and writes nothing, so the versions that succeed are distinct
// and the last one is the resource's.
#include "api_client.hpp"
#include "server_process.hpp"

#include <gtest/gtest.h>

#include <set>
#include <thread>

namespace baley::testing {
namespace {
namespace json = boost::json;

// `clients` PUTs of `body` to `path` at once; the versions of those that
// succeeded (each must be 200 or 409 conflict).
std::vector<std::int64_t> put_at_once(const server_process& server, const std::string& path,
                                      const std::string& body, int clients) {
  std::vector<http_response> answers(static_cast<std::size_t>(clients));
  std::vector<std::thread> threads;
  for (int i = 0; i < clients; ++i)
    threads.emplace_back([&, i] { answers[static_cast<std::size_t>(i)] = server.admin().put(path, body); });
  for (auto& t : threads)
    t.join();
  std::vector<std::int64_t> versions;
  for (const auto& a : answers) {
    if (a.status == 409) {
      EXPECT_EQ(string_at(a.json(), "code"), "conflict") << a.body;
      continue;
    }
    EXPECT_EQ(a.status, 200) << a.body;
    if (a.status == 200)
      versions.push_back(a.json().at("version").as_int64());
  }
  return versions;
}

void expect_each_version_once(const api_client& api, const std::string& path,
                              const std::vector<std::int64_t>& versions) {
  ASSERT_FALSE(versions.empty()) << "at least one save succeeds";
  std::set<std::int64_t> distinct(versions.begin(), versions.end());
  EXPECT_EQ(distinct.size(), versions.size()) << "a version written twice";
  auto now = api.get(path);
  ASSERT_EQ(now.status, 200) << now.body;
  EXPECT_EQ(now.json().at("version").as_int64(), 1 + static_cast<std::int64_t>(versions.size()));
  EXPECT_EQ(*distinct.rbegin(), now.json().at("version").as_int64());
}

TEST(concurrent_saves, each_version_of_a_flow_or_a_block_is_written_once) {
  server_process server({"--durability", "fsync"});
  ASSERT_TRUE(server.start()) << server.diagnostics();
  auto api = server.admin();
  auto flow_body = R"({"name":"f","nodes":[{"id":"in","type":"source"},{"id":"out","type":"sink"}],
    "edges":[{"source":"in","target":"out"}]})";
  auto flow = api.create_flow(flow_body);
  ASSERT_FALSE(flow.empty());
  expect_each_version_once(api, "/api/flows/" + flow,
                           put_at_once(server, "/api/flows/" + flow, flow_body, 12));

  auto block_body = R"({"name":"b","type":"function-block","config":{"code":"."}})";
  auto block = api.post("/api/blocks", block_body);
  ASSERT_EQ(block.status, 201) << block.body;
  auto block_path = "/api/blocks/" + string_at(block.json(), "id");
  expect_each_version_once(api, block_path, put_at_once(server, block_path, block_body, 12));
  // After all that, a save on its own goes through.
  auto next = api.put(block_path, block_body);
  EXPECT_EQ(next.status, 200) << next.body;
}

} // namespace
} // namespace baley::testing
