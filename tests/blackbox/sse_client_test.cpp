// The test client's own parsers, without a server: the SSE parser against
// the WHATWG examples (line endings, comments, multi-line data, ids without
// data) and the chunked decoder fed a byte at a time. The HTTP tests trust
// them.
#include "sse_client.hpp"

#include <gtest/gtest.h>

namespace baley::testing {
namespace {

std::vector<sse_item> parse_bytewise(std::string_view text) {
  sse_parser p;
  std::vector<sse_item> out;
  for (char c : text)
    for (auto& item : p.feed(std::string_view(&c, 1)))
      out.push_back(std::move(item));
  return out;
}

TEST(sse_client, parses_messages_comments_and_retry_in_order) {
  auto items = parse_bytewise("retry: 1000\n\n: ping\n\nid: 0\ndata: {\"a\":1}\n\n"
                              "id: 1\r\ndata: x\r\ndata:y\r\n\r\ndata: [DONE]\r\r");
  ASSERT_EQ(items.size(), 5u);
  EXPECT_EQ(items[0].what, sse_item::kind::retry);
  EXPECT_EQ(items[0].retry, 1000);
  EXPECT_EQ(items[1].what, sse_item::kind::comment);
  EXPECT_EQ(items[1].data, " ping");
  EXPECT_EQ(items[2].id, "0");
  EXPECT_TRUE(items[2].has_id);
  EXPECT_EQ(items[2].data, "{\"a\":1}");
  EXPECT_EQ(items[3].id, "1");
  EXPECT_EQ(items[3].data, "x\ny") << "data lines join with \\n; one leading space dropped";
  EXPECT_EQ(items[4].data, "[DONE]");
  EXPECT_FALSE(items[4].has_id);
  EXPECT_EQ(items[4].id, "1") << "the last event id stays in force";
}

TEST(sse_client, a_block_without_data_dispatches_nothing_but_sets_the_id) {
  auto items = parse_bytewise("id: 7\n\nevent: named\ndata\n\n");
  ASSERT_EQ(items.size(), 1u);
  EXPECT_EQ(items[0].id, "7");
  EXPECT_EQ(items[0].event, "named");
  EXPECT_EQ(items[0].data, "");
}

TEST(sse_client, chunked_bodies_decode_across_any_split) {
  std::string wire = "5\r\nhello\r\n7;ext=1\r\n, world\r\n0\r\n\r\n";
  chunked_decoder d;
  std::string out;
  for (char c : wire)
    out += d.feed(std::string_view(&c, 1));
  EXPECT_EQ(out, "hello, world");
  EXPECT_TRUE(d.done());
  EXPECT_FALSE(d.failed());
  chunked_decoder bad;
  bad.feed("zz\r\n");
  EXPECT_TRUE(bad.failed());
}

TEST(sse_client, response_heads_split_off_with_case_insensitive_headers) {
  std::string buffer = "HTTP/1.1 413 Payload Too Large\r\ncontent-type: application/json\r\n"
                       "Transfer-Encoding: chunked\r\n\r\nrest";
  auto head = take_response_head(buffer);
  ASSERT_TRUE(head);
  EXPECT_EQ(head->status, 413);
  EXPECT_TRUE(head->chunked);
  EXPECT_EQ(head->headers.get("Content-Type"), "application/json");
  EXPECT_EQ(buffer, "rest");
  std::string partial = "HTTP/1.1 200 OK\r\nX: y\r\n";
  EXPECT_FALSE(take_response_head(partial));
}

} // namespace
} // namespace baley::testing
