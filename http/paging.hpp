// Lists (API.md, "Conventions"): ?limit= (default 50, max 500) and ?cursor=,
// answered {"items": [...], "nextCursor": ...|null}, newest first, from the
// catalog in memory or from a projection on a reader thread.
#pragma once

#include "http/api_async.hpp"
#include "http/replies.hpp"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace baley::http {

struct page_request {
  std::size_t limit = 50;
  std::optional<std::string> cursor;  // the id the previous page ended at
};

// "invalid_query" when limit or cursor are not what the contract allows.
result<page_request> page_of(const http_request& request);

boost::json::object page_body(boost::json::array items, std::optional<std::string> next);

// One page of `records` (sorted newest first by id) after the cursor.
template <class Record, class ToJson>
void reply_page(const api_call_ptr& call, const std::vector<const Record*>& records,
                ToJson to_json) {
  auto page = page_of(call->request);
  if (!page)
    return reply_error(call, page.error());
  boost::json::array items;
  std::optional<std::string> next;
  for (const auto* r : records) {
    if (page->cursor && r->id >= *page->cursor)
      continue;
    if (items.size() == page->limit) {
      next = items.back().as_object().at("id").as_string().c_str();
      break;
    }
    items.push_back(to_json(*r));
  }
  reply_json(call, 200, page_body(std::move(items), next));
}

// On a reader: one page, newest first, of the keys of projection `family`
// under `prefix` (cursors are what follows the prefix: the ids): item_of
// turns an entry into its item, or nothing to leave it out.
using page_item_of =
  std::function<std::optional<boost::json::value>(std::string_view id, std::string_view value)>;
void reply_index_page(api_async& async, const storage::event_log& log, const api_call_ptr& call,
                      std::string_view family, std::string prefix, page_item_of item_of);

// On a reader: one page, newest first, of the JSON objects of projection
// `family` under `prefix` (cursors are the ids after it); `keep` filters.
void reply_projection_page(api_async& async, const storage::event_log& log,
                           const api_call_ptr& call, std::string_view family, std::string prefix,
                           std::function<bool(const boost::json::object&)> keep = {});

} // namespace baley::http
