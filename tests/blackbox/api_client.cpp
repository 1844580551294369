// Steps of the HTTP API for tests; see api_client.hpp.
#include "api_client.hpp"

#include <gtest/gtest.h>

#include <regex>
#include <thread>

namespace baley::testing {
namespace json = boost::json;
using namespace std::chrono_literals;

http_response api_client::send(std::string_view method, const std::string& path,
                               const std::optional<std::string>& body,
                               header_list headers) const {
  if (!token_.empty())
    headers.emplace_back("Authorization", "Bearer " + token_);
  return request(method, base_url_ + path, headers, body);
}

std::string api_client::create_flow(const std::string& flow_json) const {
  auto r = post("/api/flows", flow_json);
  if (r.status != 201) {
    ADD_FAILURE() << "POST /api/flows: " << r.status << " " << r.body;
    return {};
  }
  return string_at(r.json(), "id");
}

std::string api_client::create_simulated_connection(const std::string& name,
                                                    int token_delay_ms) const {
  auto r = post("/api/connections",
                R"({"name":")" + name + R"(","type":"simulated","baseUrl":"simulated://?tokenDelayMs=)"
                  + std::to_string(token_delay_ms) + R"("})");
  if (r.status != 201) {
    ADD_FAILURE() << "POST /api/connections: " << r.status << " " << r.body;
    return {};
  }
  return string_at(r.json(), "id");
}

std::string api_client::start(const std::string& flow_id, const std::string& input_json) const {
  auto r = post("/api/flows/" + flow_id + "/execute", input_body(input_json));
  if (r.status != 202) {
    ADD_FAILURE() << "execute " << flow_id << ": " << r.status << " " << r.body;
    return {};
  }
  return string_at(r.json(), "executionId");
}

json::value api_client::execution(const std::string& id) const {
  auto r = get("/api/executions/" + id);
  if (r.status != 200) {
    ADD_FAILURE() << "GET /api/executions/" << id << ": " << r.status << " " << r.body;
    return nullptr;
  }
  return r.json();
}

json::value api_client::wait_terminal(const std::string& id,
                                      std::chrono::milliseconds timeout) const {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  json::value last;
  for (;;) {
    auto r = get("/api/executions/" + id);
    if (r.status == 200) {
      last = r.json();
      if (is_terminal(string_at(last, "status")))
        return last;
    }
    if (r.status >= 500) {
      ADD_FAILURE() << "GET /api/executions/" << id << ": " << r.status << " " << r.body;
      return last;
    }
    if (std::chrono::steady_clock::now() > deadline) {
      ADD_FAILURE() << "execution " << id << " not terminal in time; last: " << r.status << " "
                    << r.body.substr(0, 2000);
      return last;
    }
    std::this_thread::sleep_for(20ms);
  }
}

bool api_client::wait_readable(const std::string& id, std::chrono::milliseconds timeout) const {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (get("/api/executions/" + id).status == 200)
      return true;
    std::this_thread::sleep_for(5ms);
  }
  return false;
}

bool api_client::wait_node_running(const std::string& id, const std::string& node_id,
                                   std::chrono::milliseconds timeout) const {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    auto r = get("/api/executions/" + id);
    if (r.status == 200) {
      auto v = r.json();
      if (v.is_object())
        if (auto* nodes = v.as_object().if_contains("nodes"); nodes && nodes->is_array())
          for (const auto& n : nodes->as_array())
            if (string_at(n, "nodeId") == node_id && string_at(n, "status") == "running")
              return true;
    }
    std::this_thread::sleep_for(10ms);
  }
  return false;
}

json::array api_client::replay(const std::string& id, std::uint64_t from_index) const {
  auto r = get("/api/executions/" + id + "/replay?fromIndex=" + std::to_string(from_index));
  if (r.status != 200) {
    ADD_FAILURE() << "replay " << id << ": " << r.status << " " << r.body;
    return {};
  }
  auto v = r.json();
  if (!v.is_object() || !v.as_object().contains("events") ||
      !v.as_object().at("events").is_array()) {
    ADD_FAILURE() << "replay without events: " << r.body.substr(0, 500);
    return {};
  }
  return v.as_object().at("events").as_array();
}

json::array api_client::list_all(const std::string& path) const {
  json::array items;
  std::string cursor;
  auto sep = path.find('?') == std::string::npos ? "?" : "&";
  for (int page = 0; page < 1000; ++page) {
    auto r = get(path + sep + "limit=500" + (cursor.empty() ? "" : "&cursor=" + cursor));
    if (r.status != 200) {
      ADD_FAILURE() << "GET " << path << ": " << r.status << " " << r.body;
      return items;
    }
    auto v = r.json();
    if (!v.is_object() || !v.as_object().contains("items")) {
      ADD_FAILURE() << "not a list: " << r.body.substr(0, 500);
      return items;
    }
    for (auto& item : v.as_object().at("items").as_array())
      items.push_back(item);
    auto* next = v.as_object().if_contains("nextCursor");
    if (!next || next->is_null())
      return items;
    cursor = std::string(next->as_string());
  }
  ADD_FAILURE() << "list " << path << " never ends";
  return items;
}

bool is_terminal(std::string_view status) {
  return status == "completed" || status == "failed" || status == "cancelled";
}

bool is_uuid_v7(std::string_view text) {
  static const std::regex pattern(
    "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-7[0-9a-fA-F]{3}-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12}$");
  return std::regex_match(std::string(text), pattern);
}

bool is_rfc3339_ms(std::string_view text) {
  static const std::regex pattern(
    "^[0-9]{4}-[01][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-6][0-9]\\.[0-9]{3}Z$");
  return std::regex_match(std::string(text), pattern);
}

std::string string_at(const json::value& v, std::string_view key) {
  if (!v.is_object())
    return {};
  auto* f = v.as_object().if_contains(key);
  return f && f->is_string() ? std::string(f->as_string()) : std::string();
}

std::string input_body(const std::string& input_json) {
  return "{\"input\":" + input_json + "}";
}

} // namespace baley::testing
