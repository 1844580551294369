// LLM connections over HTTP (API.md "Flows and blocks"): create and list,
// and the API key never comes back out, in any answer.
#include "server_process.hpp"

#include <gtest/gtest.h>

#include <set>

namespace baley::testing {
namespace {
namespace json = boost::json;

class connections : public server_test {};

constexpr const char* api_key = "sk-test-6f1d2c9a8b7e4d3c";

TEST_F(connections, create_and_list_never_echo_the_api_key) {
  json::object body{{"name", "local"}, {"type", "openai"},
                    {"baseUrl", "http://127.0.0.1:9/v1"}, {"apiKey", api_key}};
  auto created = api_.post("/api/connections", json::serialize(body));
  ASSERT_EQ(created.status, 201) << created.body;
  EXPECT_EQ(created.body.find(api_key), std::string::npos) << created.body;
  EXPECT_EQ(created.body.find("sk-test"), std::string::npos) << "not even a prefix";
  auto id = string_at(created.json(), "id");
  EXPECT_TRUE(is_uuid_v7(id)) << created.body;
  EXPECT_EQ(string_at(created.json(), "name"), "local");
  EXPECT_EQ(string_at(created.json(), "type"), "openai");

  auto second = api_.post("/api/connections",
                          R"({"name":"offline","type":"simulated","baseUrl":"","apiKey":""})");
  ASSERT_EQ(second.status, 201) << second.body;

  auto list = api_.get("/api/connections");
  ASSERT_EQ(list.status, 200) << list.body;
  EXPECT_EQ(list.body.find(api_key), std::string::npos) << list.body;
  auto items = list.json().at("items").as_array();
  ASSERT_EQ(items.size(), 2u);
  // Both listed (newest first within one millisecond is flows_test's case).
  std::set<std::string> listed = {string_at(items[0], "id"), string_at(items[1], "id")};
  EXPECT_EQ(listed, (std::set<std::string>{id, string_at(second.json(), "id")}));
  for (const auto& item : items) {
    auto* key = item.as_object().if_contains("apiKey");
    EXPECT_TRUE(!key || key->is_null() || (key->is_string() && key->as_string().empty()))
      << item;
  }
  EXPECT_TRUE(list.json().at("nextCursor").is_null());

  // Another workspace sees none of them.
  auto ws = api_.post("/api/workspaces", R"({"name":"other"})");
  ASSERT_EQ(ws.status, 201) << ws.body;
  EXPECT_TRUE(server_.client(string_at(ws.json(), "token")).list_all("/api/connections").empty());
}

TEST_F(connections, an_unknown_type_is_refused) {
  auto r = api_.post("/api/connections",
                     R"({"name":"x","type":"telepathy","baseUrl":"http://h","apiKey":"k"})");
  EXPECT_EQ(r.status, 400) << r.body;
  EXPECT_FALSE(r.code().empty()) << r.body;
  EXPECT_TRUE(api_.list_all("/api/connections").empty());
}

} // namespace
} // namespace baley::testing
