// The pattern matcher (API.md, "Patterns"): every new decision is matched
// against its block's patterns, and every new version of a pattern against
// the decisions its block made before, on one thread of its own.
#pragma once
//
// What it finds is recorded as events on system/pattern-matches
// (runtime/insight/pattern_events.hpp) with the pattern_matches rows, whose
// insight projector keeps each pattern's stats. A decision is queued
// (pattern_queue) in the batch that makes it and leaves the queue in the
// batch that records its matches, so a crash in between loses nothing: the
// next start matches what is still queued. A match recorded twice (a
// decision made while its block's pattern was being scanned) is one row and
// counts once.
//
// The conditions run in the jq sandbox, one evaluation per pattern over a
// chunk of decisions (runtime/insight/pattern.hpp, match_program), so each
// worker compiles a condition once. Blocking reads, sandbox waits and
// appends happen on the matcher's thread only, never on an actor's.

#include "actors/clock.hpp"
#include "runtime/insight/pattern.hpp"
#include "sandbox/jq_pool.hpp"
#include "storage/event_log.hpp"

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace baley::actors {

struct pattern_definition {
  std::string id;
  std::string workspace_id;
  std::uint64_t version = 0;
  runtime::pattern_fields fields;
};

// What a scan of one version came to; `stopped` says why it ended early
// (empty when it went through every decision, or gave way to a newer version).
struct scan_outcome {
  std::uint64_t decisions = 0;
  std::string stopped;
};

class pattern_matcher {
public:
  struct options {
    std::shared_ptr<storage::event_log> log;
    std::shared_ptr<sandbox::jq_pool> jq;
    std::shared_ptr<const clock> time = wall_clock();
    std::size_t chunk = 1000;                  // decisions per evaluation
    std::size_t chunk_bytes = 8u << 20;        // input bytes per evaluation
  };

  explicit pattern_matcher(options o);
  // Stops the thread after the job in hand (a sandbox wait ends at once);
  // later calls do nothing. The destructor stops it too.
  void stop();
  ~pattern_matcher();
  pattern_matcher(const pattern_matcher&) = delete;
  pattern_matcher& operator=(const pattern_matcher&) = delete;

  // Begins matching with every pattern there is (the catalog's): the
  // decisions still queued first, then the scans no finished scan of the
  // current version is recorded for. Until then, nothing is matched.
  void start(std::vector<pattern_definition> patterns);

  // A version of a pattern was committed: decisions committed from now on
  // are matched against it at once, the earlier ones by a scan. `done` runs
  // on the matcher's thread once the scan is recorded (or gave way to a
  // newer version, or stopped).
  void saved(pattern_definition pattern, std::function<void(scan_outcome)> done = {});
  void deleted(const std::string& pattern_id);

  // Decisions committed with their queue rows (called on the log's writer
  // thread: it only queues them).
  void committed(std::vector<std::string> decision_ids);

  // Waits until nothing is queued or running; false when `timeout` passed.
  bool wait_idle(std::chrono::milliseconds timeout);

private:
  struct live_pattern {
    pattern_definition definition;
    std::string program;  // match_program(condition)
  };
  using pattern_ptr = std::shared_ptr<const live_pattern>;

  void run();
  void post(std::function<void()> job);
  void match_pending();
  void match_decisions(std::vector<std::string> decision_ids);
  void scan(const pattern_ptr& pattern, const std::function<void(scan_outcome)>& done);
  bool scan_finished(const pattern_definition& pattern) const;
  // The patterns of one block now (copied under the lock).
  std::vector<pattern_ptr> patterns_of(const std::string& workspace_id,
                                       const std::string& block_id) const;
  bool current(const pattern_definition& pattern) const;
  bool stopping() const;

  options options_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::condition_variable idle_;
  std::deque<std::function<void()>> jobs_;
  std::vector<std::string> pending_;   // committed decisions not yet matched
  bool pending_posted_ = false;
  bool started_ = false;
  bool running_job_ = false;
  bool stopping_ = false;
  std::map<std::string, pattern_ptr> patterns_;  // by id
  std::thread thread_;
};

} // namespace baley::actors
