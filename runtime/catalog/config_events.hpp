// Configuration changes are events too, on their own streams, so that the
// whole catalog (workspaces, tokens, flows, blocks, connections, webhooks) is
// rebuilt from the log. Spelled like their wire names.
//
// Streams: ws/<workspaceId> (workspace_created, token_created, token_revoked),
// flow/<flowId> (flow_saved, flow_deleted), block/<blockId> (block_saved,
// block_deleted), conn/<connectionId> (connection_saved, connection_deleted),
// hook/<flowId> (webhook_saved, webhook_deleted); a workspace's feedback
// categories on ws/<workspaceId> (feedback_category_added, _removed);
// pattern/<patternId> (pattern_saved, pattern_deleted).
#pragma once

#include "runtime/result.hpp"
#include "runtime/types.hpp"

#include <boost/json/value.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

namespace baley::runtime {

struct workspace_created {
  std::string workspace_id;
  std::string name;
};

// What a token may do: an admin creates workspaces, a member works in its
// workspace, a session is a browser's cookie (revoked by signing out).
enum class token_role { admin, member, session };

std::string_view token_role_name(token_role role);
std::optional<token_role> token_role_from_name(std::string_view name);

// Only the SHA-256 hex of the secret is stored.
struct token_created {
  std::string token_id;
  std::string workspace_id;
  std::string name;
  std::string token_hash;
  token_role role = token_role::member;
};

struct token_revoked {
  std::string token_id;
};

// `flow` holds the flow JSON as given (name, nodes, edges, triggers, enabled).
// workspace_id is empty for flows saved by `baley run`.
struct flow_saved {
  std::string flow_id;
  std::string workspace_id;
  std::uint64_t version = 1;
  boost::json::value flow;
};

struct flow_deleted {
  std::string flow_id;
};

// `block` is {name, type, config}.
struct block_saved {
  std::string block_id;
  std::string workspace_id;
  std::uint64_t version = 1;
  boost::json::value block;
};

struct block_deleted {
  std::string block_id;
};

// api_key_sealed: the API key encrypted at rest (AES-256-GCM, base64), never
// the key itself.
struct connection_saved {
  std::string connection_id;
  std::string workspace_id;
  std::uint64_t version = 1;
  std::string name;
  std::string type;  // openai | anthropic | ollama | simulated
  std::string base_url;
  std::string api_key_sealed;
};

struct connection_deleted {
  std::string connection_id;
};

// Created and regenerated alike: the newest webhook_saved of a flow is the
// webhook. secret_sealed: the secret encrypted at rest.
struct webhook_saved {
  std::string flow_id;
  std::string workspace_id;
  std::string secret_sealed;
  bool enabled = true;
  double rate_per_second = 10;
  double burst = 20;
};

struct webhook_deleted {
  std::string flow_id;
};

// A workspace's own feedback category (the built-in ones are not events).
struct feedback_category_added {
  std::string workspace_id;
  std::string name;
  std::string description;
};

struct feedback_category_removed {
  std::string workspace_id;
  std::string name;
};

// `pattern` is {name, description, blockId, condition, outcome}
// (runtime/insight/pattern.hpp).
struct pattern_saved {
  std::string pattern_id;
  std::string workspace_id;
  std::uint64_t version = 1;
  boost::json::value pattern;
};

struct pattern_deleted {
  std::string pattern_id;
};

using config_event_payload =
  std::variant<workspace_created, token_created, token_revoked, flow_saved,
               flow_deleted, block_saved, block_deleted, connection_saved,
               connection_deleted, webhook_saved, webhook_deleted,
               feedback_category_added, feedback_category_removed, pattern_saved,
               pattern_deleted>;

struct config_event {
  unix_ms ts = 0;
  config_event_payload payload;
};

std::string_view type_name(const config_event_payload& payload);

// {"type":...,"ts":...,fields in camelCase}. A flow_saved without
// workspaceId (written by `baley run`) reads as workspace "".
std::string serialize_config_event(const config_event& event);
result<config_event> parse_config_event(std::string_view json_text);

} // namespace baley::runtime
