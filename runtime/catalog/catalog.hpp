// The catalog: every workspace, token, flow, block, connection and webhook,
// as a pure fold of config events. The server keeps one in memory, rebuilt
// from the config streams at start and updated by each committed change.
#pragma once

#include "runtime/catalog/config_events.hpp"

#include <map>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace baley::runtime {

struct workspace_record {
  std::string id;
  std::string name;
  unix_ms created_at = 0;
};

struct token_record {
  std::string id;
  std::string workspace_id;
  std::string name;
  token_role role = token_role::member;
  unix_ms created_at = 0;
};

struct flow_record {
  std::string id;
  std::string workspace_id;
  std::uint64_t version = 0;   // latest version
  boost::json::value flow;     // latest version's JSON
  unix_ms created_at = 0;
  unix_ms updated_at = 0;
  bool deleted = false;
  std::uint64_t events = 0;  // of its stream, folded so far

  // `enabled` is true unless the flow says false: a disabled flow starts
  // nothing, whatever asks (execute, webhook, schedule).
  bool enabled() const;
};

struct block_record {
  std::string id;
  std::string workspace_id;
  std::uint64_t version = 0;
  boost::json::value block;  // {name, type, config}
  unix_ms created_at = 0;
  unix_ms updated_at = 0;
  bool deleted = false;
  std::uint64_t events = 0;  // of its stream, folded so far
};

struct connection_record {
  std::string id;
  std::string workspace_id;
  std::uint64_t version = 0;
  std::string name;
  std::string type;
  std::string base_url;
  std::string api_key_sealed;
  unix_ms created_at = 0;
  unix_ms updated_at = 0;
  bool deleted = false;
  std::uint64_t events = 0;  // of its stream, folded so far
};

struct webhook_record {
  std::string flow_id;
  std::string workspace_id;
  std::string secret_sealed;
  bool enabled = true;
  double rate_per_second = 10;
  double burst = 20;
  unix_ms created_at = 0;
};

// A pattern (API.md, "Patterns"); `pattern` is the latest version's
// {name, description, blockId, condition, outcome}.
struct pattern_record {
  std::string id;
  std::string workspace_id;
  std::uint64_t version = 0;
  boost::json::value pattern;
  unix_ms created_at = 0;
  unix_ms updated_at = 0;
  bool deleted = false;
  std::uint64_t events = 0;  // of its stream, folded so far
};

// A feedback category (API.md, "Decisions and feedback"): a built-in one or
// one of the workspace's.
struct category_record {
  std::string name;
  std::string description;
  bool built_in = false;
};

// wrong_answer, hallucination, format_error, incomplete, off_topic, tone, other.
const std::vector<category_record>& built_in_categories();
// ^[a-z][a-z0-9_]{0,39}$
bool valid_category_name(std::string_view name);

class catalog {
public:
  // Folds one committed config event. Unknown ids in deletions are ignored.
  void apply(const config_event& event);

  // Lookups answer only what is visible: not deleted, not revoked. A
  // resource of another workspace is absent (the API's 404).
  const workspace_record* workspace(const std::string& id) const;
  const token_record* token_by_hash(const std::string& token_hash) const;
  const token_record* token(const std::string& workspace_id, const std::string& id) const;
  const flow_record* flow(const std::string& workspace_id, const std::string& id) const;
  const block_record* block(const std::string& workspace_id, const std::string& id) const;
  const connection_record* connection(const std::string& workspace_id,
                                      const std::string& id) const;
  const pattern_record* pattern(const std::string& workspace_id, const std::string& id) const;
  // A webhook is visible while its flow is (saved, not deleted): the trigger
  // of a deleted flow is 404. The second form also hides another
  // workspace's webhook, for the owner-only routes.
  const webhook_record* webhook(const std::string& flow_id) const;
  const webhook_record* webhook(const std::string& workspace_id,
                                const std::string& flow_id) const;

  // Newest first (ids are UUIDv7, so by id descending).
  std::vector<const flow_record*> flows(const std::string& workspace_id) const;
  std::vector<const block_record*> blocks(const std::string& workspace_id) const;
  std::vector<const connection_record*> connections(const std::string& workspace_id) const;
  std::vector<const pattern_record*> patterns(const std::string& workspace_id) const;
  // Every visible pattern of every workspace (for the pattern matcher).
  std::vector<const pattern_record*> all_patterns() const;
  // The built-in categories, then the workspace's by name.
  std::vector<category_record> feedback_categories(const std::string& workspace_id) const;
  std::optional<category_record> feedback_category(const std::string& workspace_id,
                                                   const std::string& name) const;

  // Where a save of a versioned resource (flow/, block/, conn/, pattern/
  // streams) must land: the stream index of the version it carries, as the
  // versions folded so far place it; nothing for other events. A save made
  // from a version another save has since replaced expects an index that is
  // taken, so its append fails instead of writing a version twice.
  std::optional<stream_index> next_index_of(const config_event_payload& payload) const;

  // Every visible connection of every workspace (for the server's directory).
  std::vector<const connection_record*> all_connections() const;

  bool empty() const { return workspaces_.empty(); }

private:
  std::map<std::string, workspace_record> workspaces_;
  std::map<std::string, token_record> tokens_;                  // by id
  std::unordered_map<std::string, std::string> token_by_hash_;  // hash -> id
  std::map<std::string, flow_record> flows_;
  std::map<std::string, block_record> blocks_;
  std::map<std::string, connection_record> connections_;
  std::map<std::string, webhook_record> webhooks_;  // by flow id
  std::map<std::string, pattern_record> patterns_;
  // workspace id -> name -> its own categories
  std::map<std::string, std::map<std::string, category_record>> categories_;
};

} // namespace baley::runtime
