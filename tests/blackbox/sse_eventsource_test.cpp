// The SSE stream as an independent client reads it: Node's `eventsource`
// package (sse_eventsource/check_reconnect.mjs) drops the connection after
// every message and resumes with Last-Event-ID, and must see every event once,
// in order, then [DONE]. Skipped when `npm ci` has not run there.
#include "server_process.hpp"
#include "test_flows.hpp"

#include <gtest/gtest.h>

#include <filesystem>

namespace baley::testing {
namespace {

class sse_eventsource : public server_test {
protected:
  void SetUp() override {
    ASSERT_TRUE(std::filesystem::exists(std::string(BALEY_SSE_CLIENT_DIR)
                                        + "/node_modules/eventsource/package.json"))
      << "run `npm ci` in " << BALEY_SSE_CLIENT_DIR << " (make test does)";
    server_test::SetUp();
  }

  process_result check(const std::string& execution_id) const {
    return run_process({"/usr/bin/env", "node",
                        std::string(BALEY_SSE_CLIENT_DIR) + "/check_reconnect.mjs",
                        server_.url(), server_.admin_token(), execution_id});
  }
};

TEST_F(sse_eventsource, reconnecting_after_every_message_of_a_live_execution) {
  auto id = api_.start(api_.create_flow(stepped_flow(300)));
  ASSERT_FALSE(id.empty());
  auto r = check(id);
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("\"events\":12"), std::string::npos) << r.out;
  EXPECT_EQ(string_at(api_.execution(id), "status"), "completed");
}

TEST_F(sse_eventsource, reconnecting_after_every_message_of_a_finished_execution) {
  auto id = api_.start(api_.create_flow(delay_flow(10)), R"({"n":1})");
  api_.wait_terminal(id);
  auto r = check(id);
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("\"events\":12"), std::string::npos) << r.out;
}

} // namespace
} // namespace baley::testing
