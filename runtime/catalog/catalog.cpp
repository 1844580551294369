// The catalog fold: each config event changes one record; lookups hide what is
// deleted, revoked or owned by another workspace.
#include "runtime/catalog/catalog.hpp"

#include "runtime/overloaded.hpp"

namespace baley::runtime {

bool flow_record::enabled() const {
  const auto* o = flow.if_object();
  const auto* enabled = o ? o->if_contains("enabled") : nullptr;
  return !(enabled && enabled->is_bool() && !enabled->get_bool());
}
namespace {


// Version `version` of a record replaces what was there; a save after a
// delete brings the record back. created_at is the first version's time.
template <class Record>
Record& save_version(std::map<std::string, Record>& records, const std::string& id,
                     const std::string& workspace_id, std::uint64_t version, unix_ms ts) {
  auto [it, inserted] = records.try_emplace(id);
  Record& record = it->second;
  if (inserted || version <= 1)
    record.created_at = ts;
  record.id = id;
  record.workspace_id = workspace_id;
  record.version = version;
  record.updated_at = ts;
  record.deleted = false;
  ++record.events;
  return record;
}

template <class Record>
void mark_deleted(std::map<std::string, Record>& records, const std::string& id) {
  if (auto it = records.find(id); it != records.end()) {
    it->second.deleted = true;
    ++it->second.events;
  }
}

template <class Record>
const Record* visible(const std::map<std::string, Record>& records,
                      const std::string& workspace_id, const std::string& id) {
  auto it = records.find(id);
  if (it == records.end() || it->second.deleted || it->second.workspace_id != workspace_id)
    return nullptr;
  return &it->second;
}

// Ids are UUIDv7, so descending id order is newest first.
template <class Record>
std::vector<const Record*> newest_first(const std::map<std::string, Record>& records,
                                        const std::string& workspace_id) {
  std::vector<const Record*> out;
  for (auto it = records.rbegin(); it != records.rend(); ++it)
    if (!it->second.deleted && it->second.workspace_id == workspace_id)
      out.push_back(&it->second);
  return out;
}

// Every record not deleted, of every workspace.
template <class Record>
std::vector<const Record*> every_visible(const std::map<std::string, Record>& records) {
  std::vector<const Record*> out;
  for (const auto& [id, record] : records)
    if (!record.deleted)
      out.push_back(&record);
  return out;
}

} // namespace

void catalog::apply(const config_event& event) {
  const unix_ms ts = event.ts;
  std::visit(
    overloaded{
      [&](const workspace_created& e) {
        auto [it, inserted] = workspaces_.try_emplace(e.workspace_id);
        if (inserted)
          it->second.created_at = ts;
        it->second.id = e.workspace_id;
        it->second.name = e.name;
      },
      [&](const token_created& e) {
        tokens_[e.token_id] = token_record{e.token_id, e.workspace_id, e.name, e.role, ts};
        if (!e.token_hash.empty())
          token_by_hash_[e.token_hash] = e.token_id;
      },
      [&](const token_revoked& e) {
        // token_created's hash is not kept in the record: find it by id.
        std::erase_if(token_by_hash_,
                      [&](const auto& entry) { return entry.second == e.token_id; });
        tokens_.erase(e.token_id);
      },
      [&](const flow_saved& e) {
        save_version(flows_, e.flow_id, e.workspace_id, e.version, ts).flow = e.flow;
      },
      [&](const flow_deleted& e) { mark_deleted(flows_, e.flow_id); },
      [&](const block_saved& e) {
        save_version(blocks_, e.block_id, e.workspace_id, e.version, ts).block = e.block;
      },
      [&](const block_deleted& e) { mark_deleted(blocks_, e.block_id); },
      [&](const connection_saved& e) {
        auto& record =
          save_version(connections_, e.connection_id, e.workspace_id, e.version, ts);
        record.name = e.name;
        record.type = e.type;
        record.base_url = e.base_url;
        record.api_key_sealed = e.api_key_sealed;
      },
      [&](const connection_deleted& e) { mark_deleted(connections_, e.connection_id); },
      [&](const webhook_saved& e) {
        auto [it, inserted] = webhooks_.try_emplace(e.flow_id);
        auto created_at = inserted ? ts : it->second.created_at;
        it->second = webhook_record{e.flow_id, e.workspace_id, e.secret_sealed, e.enabled,
                                    e.rate_per_second, e.burst, created_at};
      },
      [&](const webhook_deleted& e) { webhooks_.erase(e.flow_id); },
      [&](const feedback_category_added& e) {
        categories_[e.workspace_id][e.name] = category_record{e.name, e.description, false};
      },
      [&](const feedback_category_removed& e) {
        if (auto it = categories_.find(e.workspace_id); it != categories_.end())
          it->second.erase(e.name);
      },
      [&](const pattern_saved& e) {
        save_version(patterns_, e.pattern_id, e.workspace_id, e.version, ts).pattern = e.pattern;
      },
      [&](const pattern_deleted& e) { mark_deleted(patterns_, e.pattern_id); },
    },
    event.payload);
}

const workspace_record* catalog::workspace(const std::string& id) const {
  auto it = workspaces_.find(id);
  return it == workspaces_.end() ? nullptr : &it->second;
}

const token_record* catalog::token_by_hash(const std::string& token_hash) const {
  auto by_hash = token_by_hash_.find(token_hash);
  if (by_hash == token_by_hash_.end())
    return nullptr;
  auto it = tokens_.find(by_hash->second);
  return it == tokens_.end() ? nullptr : &it->second;
}

const token_record* catalog::token(const std::string& workspace_id,
                                   const std::string& id) const {
  auto it = tokens_.find(id);
  if (it == tokens_.end() || it->second.workspace_id != workspace_id)
    return nullptr;
  return &it->second;
}

const flow_record* catalog::flow(const std::string& workspace_id,
                                 const std::string& id) const {
  return visible(flows_, workspace_id, id);
}

const block_record* catalog::block(const std::string& workspace_id,
                                   const std::string& id) const {
  return visible(blocks_, workspace_id, id);
}

const connection_record* catalog::connection(const std::string& workspace_id,
                                             const std::string& id) const {
  return visible(connections_, workspace_id, id);
}

const pattern_record* catalog::pattern(const std::string& workspace_id,
                                       const std::string& id) const {
  return visible(patterns_, workspace_id, id);
}

const webhook_record* catalog::webhook(const std::string& flow_id) const {
  auto it = webhooks_.find(flow_id);
  if (it == webhooks_.end())
    return nullptr;
  if (!visible(flows_, it->second.workspace_id, flow_id))
    return nullptr;
  return &it->second;
}

const webhook_record* catalog::webhook(const std::string& workspace_id,
                                       const std::string& flow_id) const {
  auto* hook = webhook(flow_id);
  return hook && hook->workspace_id == workspace_id ? hook : nullptr;
}

std::vector<const flow_record*> catalog::flows(const std::string& workspace_id) const {
  return newest_first(flows_, workspace_id);
}

std::vector<const block_record*> catalog::blocks(const std::string& workspace_id) const {
  return newest_first(blocks_, workspace_id);
}

std::vector<const connection_record*>
catalog::connections(const std::string& workspace_id) const {
  return newest_first(connections_, workspace_id);
}

std::vector<const pattern_record*> catalog::patterns(const std::string& workspace_id) const {
  return newest_first(patterns_, workspace_id);
}

std::optional<stream_index> catalog::next_index_of(const config_event_payload& payload) const {
  // Version v lands v - 1 events after the stream's first, plus whatever
  // else the stream holds before it (a deletion; duplicates an older build
  // wrote): a save made from version v - 1 expects exactly that, and fails
  // once another save has landed there.
  auto at = [](const auto& records, const std::string& id, std::uint64_t version) {
    auto it = records.find(id);
    std::uint64_t others = it == records.end() ? 0 : it->second.events - it->second.version;
    return std::optional(stream_index{(version == 0 ? 0 : version - 1) + others});
  };
  return std::visit(overloaded{
                      [&](const flow_saved& e) { return at(flows_, e.flow_id, e.version); },
                      [&](const block_saved& e) { return at(blocks_, e.block_id, e.version); },
                      [&](const connection_saved& e) {
                        return at(connections_, e.connection_id, e.version);
                      },
                      [&](const pattern_saved& e) {
                        return at(patterns_, e.pattern_id, e.version);
                      },
                      [](const auto&) { return std::optional<stream_index>(); },
                    },
                    payload);
}

std::vector<const pattern_record*> catalog::all_patterns() const {
  return every_visible(patterns_);
}

} // namespace baley::runtime

namespace baley::runtime {

const std::vector<category_record>& built_in_categories() {
  static const std::vector<category_record> categories = {
    {"wrong_answer", "The answer is wrong.", true},
    {"hallucination", "The answer states what the input does not support.", true},
    {"format_error", "The answer is not in the expected format.", true},
    {"incomplete", "The answer leaves out part of what was asked.", true},
    {"off_topic", "The answer is about something else.", true},
    {"tone", "The answer's tone is wrong for its reader.", true},
    {"other", "Something else is wrong.", true},
  };
  return categories;
}

bool valid_category_name(std::string_view name) {
  if (name.empty() || name.size() > 40 || name[0] < 'a' || name[0] > 'z')
    return false;
  for (char c : name)
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'))
      return false;
  return true;
}

std::vector<category_record> catalog::feedback_categories(const std::string& workspace_id) const {
  auto out = built_in_categories();
  if (auto it = categories_.find(workspace_id); it != categories_.end())
    for (const auto& [name, category] : it->second)
      out.push_back(category);
  return out;
}

std::optional<category_record> catalog::feedback_category(const std::string& workspace_id,
                                                          const std::string& name) const {
  for (const auto& c : built_in_categories())
    if (c.name == name)
      return c;
  if (auto it = categories_.find(workspace_id); it != categories_.end())
    if (auto c = it->second.find(name); c != it->second.end())
      return c->second;
  return std::nullopt;
}

std::vector<const connection_record*> catalog::all_connections() const {
  return every_visible(connections_);
}

} // namespace baley::runtime
