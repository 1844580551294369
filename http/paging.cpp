// Paging of lists; see paging.hpp.
#include "http/paging.hpp"

#include "runtime/numbers.hpp"

#include <boost/json.hpp>

namespace baley::http {
namespace json = boost::json;

result<page_request> page_of(const http_request& request) {
  page_request page;
  if (auto limit = request.query_param("limit")) {
    auto n = runtime::parse_integer<std::size_t>(*limit, 1, 500);
    if (!n)
      return error{"invalid_query", "limit must be an integer from 1 to 500", {}};
    page.limit = *n;
  }
  if (auto cursor = request.query_param("cursor"); cursor && !cursor->empty())
    page.cursor = *cursor;
  return page;
}

json::object page_body(json::array items, std::optional<std::string> next) {
  json::object body;
  body["items"] = std::move(items);
  body["nextCursor"] = next ? json::value(*next) : json::value();
  return body;
}

void reply_index_page(api_async& async, const storage::event_log& log, const api_call_ptr& call,
                      std::string_view family, std::string prefix, page_item_of item_of) {
  auto page = page_of(call->request);
  if (!page)
    return reply_error(call, page.error());
  async.on_reader([&log, call, family = std::string(family), prefix = std::move(prefix),
                   item_of = std::move(item_of), page = *page] {
    std::optional<std::string> after;
    if (page.cursor)
      after = prefix + *page.cursor;
    json::array items;
    auto next = log.scan_projection_page(
      family, prefix, after, true, page.limit, [&](std::string_view key, std::string_view value) {
        auto item = item_of(key.substr(prefix.size()), value);
        if (!item)
          return false;
        items.push_back(std::move(*item));
        return true;
      });
    if (!next)
      return reply_error(call, next.error());
    std::optional<std::string> cursor;
    if (*next)
      cursor = next->value().substr(prefix.size());
    reply_json(call, 200, page_body(std::move(items), cursor));
  });
}

void reply_projection_page(api_async& async, const storage::event_log& log,
                           const api_call_ptr& call, std::string_view family, std::string prefix,
                           std::function<bool(const json::object&)> keep) {
  reply_index_page(async, log, call, family, std::move(prefix),
                   [keep = std::move(keep)](std::string_view,
                                            std::string_view value) -> std::optional<json::value> {
                     boost::system::error_code ec;
                     auto item = json::parse(value, ec);
                     if (ec || !item.is_object() || (keep && !keep(item.get_object())))
                       return std::nullopt;
                     return item;
                   });
}

} // namespace baley::http
