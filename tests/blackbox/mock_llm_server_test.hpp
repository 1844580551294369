// A test with the mock LLM provider and a running server (durability
// `buffered`), and connections to the mock in either wire format.
#pragma once

#include "api_client.hpp"
#include "mock_llm_process.hpp"
#include "server_process.hpp"

#include <gtest/gtest.h>

#include <memory>
#include <string>

namespace baley::testing {

class mock_llm_server_test : public ::testing::Test {
protected:
  mock_llm_server_test() : server_({"--durability", "buffered"}) {}

  void SetUp() override {
    ASSERT_TRUE(node_available()) << "node is not installed (make test installs it)";
    mock_ = std::make_unique<mock_llm_process>();
    ASSERT_TRUE(mock_->started()) << mock_->diagnostics();
    ASSERT_TRUE(server_.start()) << server_.diagnostics();
    api_ = server_.admin();
  }

  // POST /api/connections of `type` (openai, anthropic) to the mock; its id.
  std::string connection(const std::string& type) {
    auto r = api_.post("/api/connections", R"({"name":")" + type + R"(","type":")" + type
                                             + R"(","baseUrl":")" + mock_->base_url()
                                             + R"(","apiKey":"k"})");
    EXPECT_EQ(r.status, 201) << r.body;
    return string_at(r.json(), "id");
  }

  std::unique_ptr<mock_llm_process> mock_;
  server_process server_;
  api_client api_;
};

} // namespace baley::testing
