// The pattern matcher's thread: one job at a time, decisions in batches,
// scans in chunks; see pattern_matcher.hpp.
#include "actors/pattern_matcher.hpp"

#include "runtime/insight/decision.hpp"
#include "runtime/insight/pattern_events.hpp"
#include "runtime/json_text.hpp"
#include "runtime/stream_names.hpp"
#include "storage/pattern_projections.hpp"
#include "storage/projections.hpp"

#include <boost/json/serialize.hpp>

#include <future>

namespace baley::actors {
namespace json = boost::json;
using namespace runtime;

namespace {

constexpr std::size_t decisions_per_batch = 512;

// A decision as a condition sees it: its input (serialized once), and what
// agreement and the match row need.
struct candidate {
  std::string id;
  std::string input_json;
  json::value output;
  unix_ms created_at = 0;
};

std::optional<decision_record> read_decision(const storage::event_log& log,
                                             const std::string& id) {
  auto stored = log.get_projection(storage::families::decisions, id);
  if (!stored || !*stored)
    return std::nullopt;
  auto d = parse_decision(**stored);
  if (!d)
    return std::nullopt;
  return std::move(*d);
}

candidate candidate_of(decision_record d) {
  return {d.id, json::serialize(d.input), std::move(d.output), d.created_at};
}

// "[a,b,...]" of the candidates' inputs.
std::string inputs_array(const std::vector<const candidate*>& of) {
  std::string out = "[";
  for (const auto* c : of) {
    if (out.size() > 1)
      out.push_back(',');
    out.append(c->input_json);
  }
  out.push_back(']');
  return out;
}

std::vector<pattern_match> matches_of(const pattern_definition& p,
                                      const std::vector<const candidate*>& of,
                                      const std::vector<bool>& held) {
  std::vector<pattern_match> out;
  for (std::size_t i = 0; i < of.size(); ++i)
    if (held[i])
      out.push_back({p.id, p.version, of[i]->id, agrees(p.fields.outcome, of[i]->output),
                     of[i]->created_at});
  return out;
}

} // namespace

pattern_matcher::pattern_matcher(options o) : options_(std::move(o)) {
  thread_ = std::thread([this] { run(); });
}

pattern_matcher::~pattern_matcher() {
  stop();
}

void pattern_matcher::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable() && thread_.get_id() != std::this_thread::get_id())
    thread_.join();
}

void pattern_matcher::start(std::vector<pattern_definition> patterns) {
  std::vector<pattern_ptr> loaded;
  {
    std::lock_guard lock(mutex_);
    for (auto& p : patterns) {
      auto live = std::make_shared<const live_pattern>(
        live_pattern{p, match_program(p.fields.condition)});
      patterns_[p.id] = live;
      loaded.push_back(std::move(live));
    }
    started_ = true;
  }
  post([this] {
    std::vector<std::string> queued;
    auto scanned = options_.log->scan_projection(
      storage::families::pattern_queue, "",
      [&](std::string_view key, std::string_view) { queued.emplace_back(key); });
    for (std::size_t at = 0; scanned && at < queued.size() && !stopping();
         at += decisions_per_batch) {
      auto end = std::min(queued.size(), at + decisions_per_batch);
      match_decisions({queued.begin() + static_cast<std::ptrdiff_t>(at),
                       queued.begin() + static_cast<std::ptrdiff_t>(end)});
    }
  });
  for (auto& p : loaded)
    post([this, p] {
      if (!scan_finished(p->definition))
        scan(p, {});
    });
}

void pattern_matcher::saved(pattern_definition pattern, std::function<void(scan_outcome)> done) {
  auto live = std::make_shared<const live_pattern>(
    live_pattern{pattern, match_program(pattern.fields.condition)});
  {
    std::lock_guard lock(mutex_);
    patterns_[pattern.id] = live;
  }
  post([this, live, done = std::move(done)] { scan(live, done); });
}

void pattern_matcher::deleted(const std::string& pattern_id) {
  std::lock_guard lock(mutex_);
  patterns_.erase(pattern_id);
}

void pattern_matcher::committed(std::vector<std::string> decision_ids) {
  {
    std::lock_guard lock(mutex_);
    if (!started_ || stopping_)
      return;  // still queued in the log: start() will match them
    pending_.insert(pending_.end(), std::make_move_iterator(decision_ids.begin()),
                    std::make_move_iterator(decision_ids.end()));
    if (pending_posted_)
      return;
    pending_posted_ = true;
    jobs_.push_back([this] { match_pending(); });
  }
  wake_.notify_all();
}

bool pattern_matcher::wait_idle(std::chrono::milliseconds timeout) {
  std::unique_lock lock(mutex_);
  return idle_.wait_for(lock, timeout, [this] {
    return jobs_.empty() && !running_job_ && pending_.empty();
  });
}

void pattern_matcher::post(std::function<void()> job) {
  {
    std::lock_guard lock(mutex_);
    jobs_.push_back(std::move(job));
  }
  wake_.notify_all();
}

void pattern_matcher::run() {
  std::unique_lock lock(mutex_);
  for (;;) {
    wake_.wait(lock, [this] { return stopping_ || !jobs_.empty(); });
    if (stopping_)
      return;
    auto job = std::move(jobs_.front());
    jobs_.pop_front();
    running_job_ = true;
    lock.unlock();
    job();
    lock.lock();
    running_job_ = false;
    if (jobs_.empty() && pending_.empty())
      idle_.notify_all();
  }
}

void pattern_matcher::match_pending() {
  std::vector<std::string> ids;
  {
    std::lock_guard lock(mutex_);
    auto take = std::min(pending_.size(), decisions_per_batch);
    ids.assign(std::make_move_iterator(pending_.begin()),
               std::make_move_iterator(pending_.begin() + static_cast<std::ptrdiff_t>(take)));
    pending_.erase(pending_.begin(), pending_.begin() + static_cast<std::ptrdiff_t>(take));
    if (pending_.empty())
      pending_posted_ = false;
    else
      jobs_.push_back([this] { match_pending(); });
  }
  match_decisions(std::move(ids));
}

std::vector<pattern_matcher::pattern_ptr>
pattern_matcher::patterns_of(const std::string& workspace_id, const std::string& block_id) const {
  std::vector<pattern_ptr> out;
  std::lock_guard lock(mutex_);
  for (const auto& [id, p] : patterns_)
    if (p->definition.workspace_id == workspace_id && p->definition.fields.block_id == block_id)
      out.push_back(p);
  return out;
}

bool pattern_matcher::current(const pattern_definition& pattern) const {
  std::lock_guard lock(mutex_);
  auto it = patterns_.find(pattern.id);
  return it != patterns_.end() && it->second->definition.version == pattern.version;
}

namespace {

// The sandbox's answer to one evaluation, waited for on the matcher's
// thread; an evaluation the pool drops (it is shutting down) never answers.
class evaluation {
public:
  evaluation(sandbox::jq_pool& jq, const std::string& program, std::string inputs) {
    auto promise = std::make_shared<std::promise<sandbox::jq_reply>>();
    reply_ = promise->get_future();
    jq.submit({.program = program, .input_json = std::move(inputs), .timeout = std::nullopt},
              [promise](sandbox::jq_reply r) { promise->set_value(std::move(r)); });
  }

  result<std::vector<bool>> held(std::size_t count, const std::function<bool()>& stopping) {
    while (reply_.wait_for(std::chrono::milliseconds(50)) != std::future_status::ready)
      if (stopping())
        return error{"cancelled", "the pattern matcher is stopping", {}};
    auto reply = reply_.get();
    auto outputs = sandbox::outputs_of(reply);
    if (!outputs)
      return std::move(outputs).error();
    return read_match_results(*outputs, count);
  }

private:
  std::future<sandbox::jq_reply> reply_;
};

} // namespace

bool pattern_matcher::stopping() const {
  std::lock_guard lock(mutex_);
  return stopping_;
}

void pattern_matcher::match_decisions(std::vector<std::string> decision_ids) {
  auto stopping = [this] { return this->stopping(); };
  std::vector<candidate> candidates;
  std::vector<std::vector<pattern_ptr>> patterns;
  for (const auto& id : decision_ids)
    if (auto d = read_decision(*options_.log, id); d && d->block_id) {
      auto of_block = patterns_of(d->workspace_id, *d->block_id);
      if (of_block.empty())
        continue;
      patterns.push_back(std::move(of_block));
      candidates.push_back(candidate_of(std::move(*d)));
    }
  // One evaluation per pattern over all of its decisions in this batch.
  std::map<std::string, std::pair<pattern_ptr, std::vector<const candidate*>>> by_pattern;
  for (std::size_t i = 0; i < candidates.size(); ++i)
    for (const auto& p : patterns[i]) {
      auto& entry = by_pattern[p->definition.id];
      entry.first = p;
      entry.second.push_back(&candidates[i]);
    }
  std::vector<std::pair<std::string, evaluation>> running;
  for (auto& [id, entry] : by_pattern)
    running.emplace_back(id, evaluation(*options_.jq, entry.first->program,
                                        inputs_array(entry.second)));
  decisions_matched event{.decision_ids = std::move(decision_ids), .matches = {}};
  for (auto& [id, eval] : running) {
    const auto& [p, of] = by_pattern[id];
    auto held = eval.held(of.size(), stopping);
    if (!held && held.error().code == "cancelled")
      return;  // still queued: the next start matches them
    if (!held)
      continue;  // a condition that fails on them matches none of them
    auto found = matches_of(p->definition, of, *held);
    event.matches.insert(event.matches.end(), found.begin(), found.end());
  }
  storage::append_request request;
  request.stream = std::string(names::pattern_matches_stream);
  request.events.push_back(serialize_pattern_match_event(options_.time->now(), event));
  storage::pattern_match_puts(event, request.projections);
  (void)options_.log->append(std::move(request));  // failed: the queue keeps them
}

bool pattern_matcher::scan_finished(const pattern_definition& pattern) const {
  auto stored = options_.log->get_projection(storage::families::meta,
                                             storage::projections::pattern_scan_key(pattern.id));
  if (!stored || !*stored)
    return false;
  auto row = parse_stored_object(**stored);
  const auto* version = row ? row->if_contains("version") : nullptr;
  return version && version->is_number()
         && version->to_number<std::uint64_t>() == pattern.version;
}

void pattern_matcher::scan(const pattern_ptr& pattern,
                           const std::function<void(scan_outcome)>& done) {
  const auto& def = pattern->definition;
  auto stopping = [this] { return this->stopping(); };
  auto prefix = storage::projections::block_decisions(def.workspace_id, def.fields.block_id);
  auto end = prefix;
  end.back() = '\x01';  // the prefix ends with '\0': every key under it sorts before
  std::string from = prefix;
  scan_outcome outcome;
  for (;;) {
    if (stopping())
      return;  // the next start scans this version again
    if (!current(def)) {
      if (done)
        done(outcome);  // a newer version (or a deletion) took over
      return;
    }
    std::vector<candidate> chunk;
    std::size_t bytes = 0;
    std::string last;
    auto read = options_.log->scan_projection_range(
      storage::families::decisions_by_block, from, end,
      [&](std::string_view key, std::string_view) {
        last.assign(key);
        if (auto d = read_decision(*options_.log, std::string(key.substr(prefix.size())))) {
          chunk.push_back(candidate_of(std::move(*d)));
          bytes += chunk.back().input_json.size();
        }
        return chunk.size() < options_.chunk && bytes < options_.chunk_bytes;
      });
    pattern_scanned event{.pattern_id = def.id, .version = def.version};
    bool last_chunk = last.empty();
    if (!read) {
      event.error = read.error().message;
    } else if (!chunk.empty()) {
      std::vector<const candidate*> of;
      for (const auto& c : chunk)
        of.push_back(&c);
      auto held = evaluation(*options_.jq, pattern->program, inputs_array(of))
                    .held(of.size(), stopping);
      if (!held && held.error().code == "cancelled")
        return;
      if (!held)
        event.error = "the condition stopped the scan: " + held.error().message;
      else
        event.matches = matches_of(def, of, *held);
      event.decisions = chunk.size();
      outcome.decisions += chunk.size();
    }
    from = last + '\0';
    event.done = last_chunk || !event.error.empty();  // an error ends the scan
    outcome.stopped = event.error;
    storage::append_request request;
    request.stream = std::string(names::pattern_matches_stream);
    request.events.push_back(serialize_pattern_match_event(options_.time->now(), event));
    storage::pattern_match_puts(event, request.projections);
    if (auto written = options_.log->append(std::move(request)); !written) {
      outcome.stopped = written.error().message;
      event.done = true;
    }
    if (event.done) {
      if (done)
        done(outcome);
      return;
    }
  }
}

} // namespace baley::actors
