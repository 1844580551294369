// Tests for sandbox/jq_pool with real worker processes (the `baley` binary's
// jq-worker): outputs and errors come back; an endless program is stopped at
// its budget and its worker replaced; memory over the budget is refused;
// cancel drops a queued job and kills a running one's worker; many jobs from
// many threads are all answered; a worker that cannot start answers
// jq_unavailable.
#include "sandbox/jq_pool.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <future>
#include <thread>

namespace baley::sandbox {
namespace {

using namespace std::chrono_literals;

jq_pool_options options(std::size_t workers = 2, std::uint64_t memory_mb = 256) {
  jq_pool_options o;
  o.worker_command = {BALEY_BINARY, "jq-worker"};
  o.workers = workers;
  o.memory_mb = memory_mb;
  return o;
}

// A reply, or nullopt when none came within 20 s.
std::optional<jq_reply> evaluate(jq_pool& pool, std::string program, std::string input,
                                 std::optional<std::chrono::milliseconds> timeout = {}) {
  auto reply = std::make_shared<std::promise<jq_reply>>();
  auto got = reply->get_future();
  pool.submit({std::move(program), std::move(input), timeout},
              [reply](jq_reply r) { reply->set_value(std::move(r)); });
  if (got.wait_for(20s) != std::future_status::ready)
    return std::nullopt;
  return got.get();
}

bool process_exists(pid_t pid) {
  return ::kill(pid, 0) == 0 || errno != ESRCH;
}

// Waits up to 10 s for `condition`.
template <class Condition>
bool eventually(Condition condition) {
  for (auto deadline = std::chrono::steady_clock::now() + 10s;
       std::chrono::steady_clock::now() < deadline; std::this_thread::sleep_for(2ms))
    if (condition())
      return true;
  return condition();
}

TEST(jq_pool, evaluates_a_program_and_returns_every_output) {
  jq_pool pool(options());
  auto reply = evaluate(pool, ".xs[] * 2", R"({"xs":[1,2,3]})");
  ASSERT_TRUE(reply);
  ASSERT_TRUE(reply->ok) << reply->text;
  auto outputs = outputs_of(*reply);
  ASSERT_TRUE(outputs);
  EXPECT_EQ(boost::json::value_from(*outputs), (boost::json::array{2, 4, 6}));
  EXPECT_EQ(pool.stats().evaluations, 1u);
}

TEST(jq_pool, jq_errors_come_back_with_their_codes) {
  jq_pool pool(options());
  auto plain = evaluate(pool, "error(\"bad\")", "{}");
  auto retryable = evaluate(pool, "error({message: \"later\", retryable: true})", "{}");
  ASSERT_TRUE(plain && retryable);
  EXPECT_FALSE(plain->ok);
  EXPECT_EQ(plain->code, "jq_error");
  EXPECT_EQ(plain->text, "bad");
  EXPECT_EQ(retryable->code, "jq_error_retryable");
  EXPECT_EQ(retryable->text, "later");
}

TEST(jq_pool, an_endless_program_is_stopped_at_its_budget_and_its_worker_replaced) {
  jq_pool pool(options(1));
  ASSERT_TRUE(eventually([&] { return pool.worker_pids().size() == 1; }));
  auto first = pool.worker_pids().front();
  auto began = std::chrono::steady_clock::now();
  auto reply = evaluate(pool, "def f: f; f", "{}", 200ms);
  auto took = std::chrono::steady_clock::now() - began;
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->code, "limit_exceeded");
  EXPECT_EQ(reply->text, "the jq evaluation went over its time budget of 200 ms");
  EXPECT_GE(took, 200ms);
  EXPECT_FALSE(process_exists(first)) << "the worker burning the CPU is gone";
  auto after = evaluate(pool, ". + 1", "1");
  ASSERT_TRUE(after);
  EXPECT_TRUE(after->ok) << "a new worker serves the next job";
  EXPECT_EQ(pool.stats().over_time, 1u);
  EXPECT_EQ(pool.stats().workers_started, 2u);
}

TEST(jq_pool, memory_over_the_budget_is_refused_and_the_next_job_runs) {
  jq_pool pool(options(1, 64));
  auto reply = evaluate(pool, "[range(1e9)]", "{}");
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->code, "limit_exceeded");
  EXPECT_EQ(reply->text, "the jq evaluation went over its memory budget of 64 MiB");
  auto deep = evaluate(pool, "def f: 1 + f; f", "{}");
  ASSERT_TRUE(deep);
  EXPECT_EQ(deep->code, "limit_exceeded") << deep->text;
  auto after = evaluate(pool, "[range(3)]", "null");
  ASSERT_TRUE(after);
  EXPECT_EQ(after->text, "[[0,1,2]]");
  EXPECT_EQ(pool.stats().over_memory, 2u);
}

TEST(jq_pool, cancel_kills_the_worker_of_a_running_job_and_drops_a_queued_one) {
  jq_pool pool(options(1));
  std::atomic<int> answered{0};
  auto running = pool.submit({"def f: f; f", "{}", 60s}, [&](jq_reply) { ++answered; });
  auto queued = pool.submit({". + 1", "1", {}}, [&](jq_reply) { ++answered; });
  ASSERT_TRUE(eventually([&] { return pool.stats().running == 1 && pool.stats().queued == 1; }));
  auto burning = pool.worker_pids().front();
  pool.cancel(queued);
  pool.cancel(running);
  ASSERT_TRUE(eventually([&] { return pool.stats().cancelled == 2; }));
  EXPECT_TRUE(eventually([&] { return !process_exists(burning); }))
    << "no CPU keeps burning for a cancelled evaluation";
  auto after = evaluate(pool, ". * 3", "2");
  ASSERT_TRUE(after);
  EXPECT_EQ(after->text, "[6]");
  EXPECT_EQ(answered.load(), 0) << "cancelled jobs are not answered";
}

TEST(jq_pool, many_jobs_from_many_threads_are_each_answered_once) {
  jq_pool pool(options(2));
  constexpr int threads = 4, per_thread = 50;
  std::vector<std::atomic<int>> answers(threads * per_thread);
  std::vector<std::string> texts(threads * per_thread);
  std::atomic<int> done{0};
  std::vector<std::thread> submitters;
  for (int t = 0; t < threads; ++t)
    submitters.emplace_back([&, t] {
      for (int i = 0; i < per_thread; ++i) {
        int n = t * per_thread + i;
        pool.submit({". * 2", std::to_string(n), {}}, [&, n](jq_reply r) {
          texts[n] = r.text;
          ++answers[n];
          ++done;
        });
      }
    });
  for (auto& s : submitters)
    s.join();
  ASSERT_TRUE(eventually([&] { return done.load() == threads * per_thread; }));
  for (int n = 0; n < threads * per_thread; ++n) {
    EXPECT_EQ(answers[n].load(), 1) << n;
    EXPECT_EQ(texts[n], "[" + std::to_string(2 * n) + "]") << n;
  }
}

TEST(jq_pool, a_worker_that_cannot_start_answers_jq_unavailable) {
  auto o = options(1);
  o.worker_command = {"/nonexistent/baley", "jq-worker"};
  jq_pool pool(o);
  auto reply = evaluate(pool, ".", "1");
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->code, "jq_unavailable");
  EXPECT_NE(reply->text.find("/nonexistent/baley"), std::string::npos) << reply->text;
}

} // namespace
} // namespace baley::sandbox
