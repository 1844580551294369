// The jq worker pool; see jq_pool.hpp. The dispatcher thread polls the
// workers' sockets and an eventfd that submit() and cancel() ring.
#include "sandbox/jq_pool.hpp"

#include "sandbox/jq_worker.hpp"
#include "sandbox/worker_process.hpp"
#include "runtime/jq/jq_program.hpp"

#include <boost/json.hpp>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <deque>
#include <iostream>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

namespace baley::sandbox {
namespace {

using clock_type = std::chrono::steady_clock;
using std::chrono::milliseconds;

struct queued_job {
  std::uint64_t id = 0;
  jq_job job;
  jq_done done;
};

// One worker and the job it runs, if any.
struct worker_slot {
  std::optional<worker_process> process;
  frame_reader reader;
  std::optional<queued_job> job;
  clock_type::time_point deadline;
  milliseconds budget{0};
};

jq_reply limit(std::string message) {
  return jq_reply{false, runtime::limit_exceeded_code, std::move(message)};
}

} // namespace

struct jq_pool::impl {
  jq_pool_options options;
  int wake_fd = -1;
  std::thread dispatcher;

  // Shared with submit()/cancel(), under the mutex.
  mutable std::mutex mutex;
  std::deque<queued_job> incoming;
  std::vector<std::uint64_t> cancels;
  bool stopping = false;
  std::uint64_t next_id = 1;
  std::size_t outstanding = 0;  // submitted, not yet answered or dropped
  std::condition_variable idle;

  // The dispatcher's own.
  std::vector<worker_slot> slots;
  std::deque<queued_job> pending;
  clock_type::time_point next_spawn_at{};
  std::string spawn_problem;

  std::atomic<std::uint64_t> evaluations{0}, over_time{0}, over_memory{0}, cancelled{0},
    workers_started{0}, queued{0}, running{0};
  std::vector<pid_t> pids;  // under the mutex: the workers after the last change

  explicit impl(jq_pool_options o) : options(std::move(o)) {
    wake_fd = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    slots.resize(std::max<std::size_t>(1, options.workers));
    dispatcher = std::thread([this] { run(); });
  }

  ~impl() {
    {
      std::lock_guard lock(mutex);
      stopping = true;
    }
    wake();
    dispatcher.join();
    ::close(wake_fd);
  }

  void wake() {
    std::uint64_t one = 1;
    [[maybe_unused]] auto n = ::write(wake_fd, &one, sizeof one);
  }

  std::vector<std::string> worker_argv() const {
    auto argv = options.worker_command;
    argv.insert(argv.end(), {"--memory-mb", std::to_string(options.memory_mb), "--parent",
                             std::to_string(::getpid())});
    return argv;
  }

  void spawn(worker_slot& slot) {
    slot.reader = frame_reader{};
    if (clock_type::now() < next_spawn_at)
      return;
    auto started = worker_process::spawn(worker_argv());
    if (!started) {
      spawn_problem = started.error().message;
      next_spawn_at = clock_type::now() + std::chrono::seconds(1);
      std::cerr << boost::json::serialize(boost::json::object{
                     {"msg", "jq worker not started"}, {"error", spawn_problem}})
                << std::endl;
      return;
    }
    slot.process.emplace(std::move(started).value());
    ++workers_started;
  }

  void finish(worker_slot& slot, jq_reply reply) {
    auto job = std::move(*slot.job);
    slot.job.reset();
    job.done(std::move(reply));
    settled(1);
  }

  // `n` jobs are answered or dropped: wait_idle() may return.
  void settled(std::size_t n) {
    {
      std::lock_guard lock(mutex);
      outstanding -= n;
    }
    idle.notify_all();
  }

  // The job of a worker that died while running it, answered by how it died.
  void answer_death(worker_slot& slot, child_exit how) {
    if (!slot.job)
      return;
    ++evaluations;
    if (how.signaled && how.code == SIGXCPU) {
      ++over_time;
      return finish(slot, limit("the jq evaluation went over its time budget of "
                                + std::to_string(slot.budget.count()) + " ms"));
    }
    ++over_memory;
    finish(slot, limit("the jq evaluation went over its memory budget of "
                       + std::to_string(options.memory_mb) + " MiB (its worker "
                       + (how.signaled ? "died with signal " : "exited with status ")
                       + std::to_string(how.code) + ")"));
  }

  void replace(worker_slot& slot, child_exit how) {
    answer_death(slot, how);
    slot.process.reset();
    spawn(slot);
  }

  void take_requests() {
    std::deque<queued_job> fresh;
    std::vector<std::uint64_t> dropped;
    {
      std::lock_guard lock(mutex);
      fresh.swap(incoming);
      dropped.swap(cancels);
    }
    for (auto& job : fresh)
      pending.push_back(std::move(job));
    for (auto id : dropped) {
      auto before = pending.size();
      std::erase_if(pending, [id](const queued_job& j) { return j.id == id; });
      if (pending.size() != before) {
        ++cancelled;
        settled(1);
        continue;
      }
      for (auto& slot : slots) {
        if (!slot.job || slot.job->id != id)
          continue;
        ++cancelled;
        slot.job.reset();
        settled(1);
        slot.process->kill_and_reap();
        slot.process.reset();
        spawn(slot);
      }
    }
  }

  void assign() {
    for (auto& slot : slots) {
      if (pending.empty())
        break;
      if (!slot.process)
        spawn(slot);
      if (!slot.process || slot.job)
        continue;
      auto job = std::move(pending.front());
      pending.pop_front();
      slot.budget = job.job.timeout.value_or(options.default_timeout);
      auto frame = encode_request(jq_request{job.job.program, job.job.input_json,
                                             static_cast<std::uint32_t>(slot.budget.count())});
      if (!slot.process->send(frame)) {
        pending.push_front(std::move(job));  // the worker died idle: not the job's fault
        slot.process->kill_and_reap();
        slot.process.reset();
        spawn(slot);
        continue;
      }
      slot.deadline = clock_type::now() + slot.budget;
      slot.job = std::move(job);
    }
    bool any_worker = false;
    for (const auto& slot : slots)
      any_worker |= slot.process.has_value();
    if (!any_worker)
      for (auto& job : std::exchange(pending, {})) {
        ++evaluations;
        job.done(jq_reply{false, runtime::jq_unavailable_code,
                          "no jq worker process could be started: " + spawn_problem});
        settled(1);
      }
  }

  void read_from(worker_slot& slot) {
    char buffer[64 * 1024];
    bool ended = false;
    for (;;) {
      auto n = ::read(slot.process->fd(), buffer, sizeof buffer);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
        break;
      if (n <= 0) {  // the worker ended (after its last reply, if any)
        ended = true;
        break;
      }
      slot.reader.append(std::string_view(buffer, static_cast<std::size_t>(n)));
    }
    for (;;) {
      auto payload = slot.reader.next();
      if (!payload) {  // garbage from the worker: it cannot be trusted
        replace(slot, slot.process->kill_and_reap());
        return;
      }
      if (!*payload)
        break;
      auto reply = decode_reply(**payload);
      if (!reply || !slot.job) {
        replace(slot, slot.process->kill_and_reap());
        return;
      }
      ++evaluations;
      bool out_of_memory = !reply->ok && reply->code == runtime::limit_exceeded_code;
      finish(slot, std::move(reply).value());
      if (out_of_memory) {
        // The worker exits after such a reply (or its heap is spent): it
        // takes no other job.
        ++over_memory;
        replace(slot, slot.process->kill_and_reap());
        return;
      }
    }
    if (ended)
      replace(slot, slot.process->reap());
  }

  void expire(clock_type::time_point now) {
    for (auto& slot : slots) {
      if (!slot.job || now < slot.deadline)
        continue;
      ++evaluations;
      ++over_time;
      slot.process->kill_and_reap();
      slot.process.reset();
      finish(slot, limit("the jq evaluation went over its time budget of "
                         + std::to_string(slot.budget.count()) + " ms"));
      spawn(slot);
    }
  }

  // What stats() and worker_pids() report, as of now.
  void publish_gauges() {
    std::vector<pid_t> alive;
    std::uint64_t busy = 0;
    for (const auto& slot : slots) {
      if (slot.process)
        alive.push_back(slot.process->pid());
      busy += slot.job.has_value();
    }
    running = busy;
    queued = pending.size();
    std::lock_guard lock(mutex);
    pids = std::move(alive);
  }

  int poll_timeout(clock_type::time_point now) const {
    std::optional<clock_type::time_point> soonest;
    for (const auto& slot : slots)
      if (slot.job && (!soonest || slot.deadline < *soonest))
        soonest = slot.deadline;
    if (!pending.empty() && now < next_spawn_at && (!soonest || next_spawn_at < *soonest))
      soonest = next_spawn_at;
    if (!soonest)
      return -1;
    auto left = std::chrono::duration_cast<milliseconds>(*soonest - now).count();
    return static_cast<int>(std::clamp<long long>(left + 1, 0, 60'000));
  }

  void run() {
    for (auto& slot : slots)
      spawn(slot);
    std::vector<pollfd> fds;
    std::vector<worker_slot*> owners;
    for (;;) {
      {
        std::lock_guard lock(mutex);
        if (stopping)
          break;
      }
      take_requests();
      assign();
      publish_gauges();
      fds.assign(1, pollfd{wake_fd, POLLIN, 0});
      owners.assign(1, nullptr);
      for (auto& slot : slots)
        if (slot.process) {
          fds.push_back(pollfd{slot.process->fd(), POLLIN, 0});
          owners.push_back(&slot);
        }
      int ready = ::poll(fds.data(), fds.size(), poll_timeout(clock_type::now()));
      if (ready < 0 && errno != EINTR)
        break;
      if (fds[0].revents & POLLIN) {
        std::uint64_t count = 0;
        [[maybe_unused]] auto n = ::read(wake_fd, &count, sizeof count);
      }
      for (std::size_t i = 1; i < fds.size(); ++i)
        if (fds[i].revents & (POLLIN | POLLHUP | POLLERR) && owners[i]->process)
          read_from(*owners[i]);
      expire(clock_type::now());
      publish_gauges();
    }
    for (auto& slot : slots)
      slot.process.reset();  // kills and reaps
  }
};

jq_pool::jq_pool(jq_pool_options options) : impl_(std::make_unique<impl>(std::move(options))) {}

jq_pool::~jq_pool() = default;

std::uint64_t jq_pool::submit(jq_job job, jq_done done) {
  std::uint64_t id;
  {
    std::lock_guard lock(impl_->mutex);
    id = impl_->next_id++;
    ++impl_->outstanding;
    impl_->incoming.push_back(queued_job{id, std::move(job), std::move(done)});
  }
  impl_->wake();
  return id;
}

void jq_pool::cancel(std::uint64_t job) {
  {
    std::lock_guard lock(impl_->mutex);
    impl_->cancels.push_back(job);
  }
  impl_->wake();
}

jq_pool_stats jq_pool::stats() const {
  return jq_pool_stats{.evaluations = impl_->evaluations.load(),
                       .over_time = impl_->over_time.load(),
                       .over_memory = impl_->over_memory.load(),
                       .cancelled = impl_->cancelled.load(),
                       .workers_started = impl_->workers_started.load(),
                       .queued = impl_->queued.load(),
                       .running = impl_->running.load()};
}

bool jq_pool::wait_idle(std::chrono::milliseconds timeout) const {
  std::unique_lock lock(impl_->mutex);
  return impl_->idle.wait_for(lock, timeout, [this] { return impl_->outstanding == 0; });
}

std::vector<pid_t> jq_pool::worker_pids() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->pids;
}

const jq_pool_options& jq_pool::options() const {
  return impl_->options;
}

} // namespace baley::sandbox
