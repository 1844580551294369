// Crash test: a child process appends with 16 threads in fsync mode and
// reports each acknowledged event; it is SIGKILLed at a random moment and
// every acknowledged event must be in the reopened, auditable log.
#include "storage/event_log.hpp"

#include "temp_dir.hpp"

#include <gtest/gtest.h>

#include <cstdio>

#include <csignal>
#include <cstring>
#include <map>
#include <poll.h>
#include <random>
#include <sstream>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

extern char** environ;

namespace baley::storage {
namespace {

using testing::temp_dir;

constexpr const char* child_dir_env = "BALEY_CRASH_CHILD_DIR";
constexpr const char* child_fd_env = "BALEY_CRASH_CHILD_FD";
constexpr int child_threads = 16;
constexpr int child_streams = 4;  // 4 threads share each stream

// The child: runs only when started by the parent test below (a fresh
// process via exec, so no thread or lock is inherited across fork).
TEST(crash_child, appends_until_killed) {
  const char* dir = std::getenv(child_dir_env);
  const char* fd_text = std::getenv(child_fd_env);
  if (dir == nullptr || fd_text == nullptr)
    GTEST_SKIP() << "run by crash.acknowledged_appends_survive_sigkill";
  int fd = std::atoi(fd_text);
  auto log = event_log::open({dir, durability::fsync});
  if (!log)
    _exit(3);
  std::vector<std::thread> threads;
  for (int t = 0; t < child_threads; ++t)
    threads.emplace_back([&, t] {
      auto stream = "crash/" + std::to_string(t % child_streams);
      for (int n = 0;; ++n) {
        append_request r;
        r.stream = stream;
        r.events.push_back(R"({"type":"crash","writer":)" + std::to_string(t)
                           + ",\"n\":" + std::to_string(n) + "}");
        auto appended = (*log)->append(std::move(r));
        if (!appended)
          _exit(4);
        auto line = stream + " " + std::to_string((*appended)[0].index) + "\n";
        if (::write(fd, line.data(), line.size()) != static_cast<ssize_t>(line.size()))
          _exit(5);  // one write per line: atomic on a pipe (< PIPE_BUF)
      }
    });
  for (auto& thread : threads)
    thread.join();
}

// Environment for the child, built before fork (nothing after fork but
// async-signal-safe calls).
std::vector<std::string> child_environment(const std::string& dir, int fd) {
  std::vector<std::string> env;
  for (char** e = environ; *e != nullptr; ++e)
    env.emplace_back(*e);
  env.push_back(std::string(child_dir_env) + "=" + dir);
  env.push_back(std::string(child_fd_env) + "=" + std::to_string(fd));
  return env;
}

// Reads what is available from `fd` into `text` for up to `wait_ms`;
// false at end of file.
bool read_some(int fd, std::string& text, int wait_ms) {
  pollfd p{fd, POLLIN, 0};
  if (::poll(&p, 1, wait_ms) <= 0)
    return true;
  char buffer[65536];
  auto got = ::read(fd, buffer, sizeof buffer);
  if (got <= 0)
    return false;
  text.append(buffer, static_cast<std::size_t>(got));
  return true;
}

TEST(crash, acknowledged_appends_survive_sigkill) {
  temp_dir dir;
  int pipe_fds[2];
  ASSERT_EQ(::pipe(pipe_fds), 0);
  auto env = child_environment(dir.path(), pipe_fds[1]);
  std::vector<char*> envp;
  for (auto& e : env)
    envp.push_back(e.data());
  envp.push_back(nullptr);
  std::string exe = "/proc/self/exe";
  std::string filter = "--gtest_filter=crash_child.appends_until_killed";
  char* argv[] = {exe.data(), filter.data(), nullptr};

  pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    ::close(pipe_fds[0]);
    ::execve(exe.c_str(), argv, envp.data());
    _exit(127);
  }
  ::close(pipe_fds[1]);

  std::random_device seed;
  std::mt19937 random(seed());
  auto kill_after = std::chrono::milliseconds(
    std::uniform_int_distribution<int>(100, 600)(random));
  std::string acks;
  while (acks.empty())  // the child is appending from here on
    ASSERT_TRUE(read_some(pipe_fds[0], acks, 100)) << "child exited before any append";

  // While the child holds the data dir, opening it is refused.
  auto locked = event_log::open({dir.path(), durability::fsync});
  ASSERT_FALSE(locked);
  EXPECT_EQ(locked.error().code, "data_dir_locked") << locked.error().message;

  auto deadline = std::chrono::steady_clock::now() + kill_after;
  while (std::chrono::steady_clock::now() < deadline)
    ASSERT_TRUE(read_some(pipe_fds[0], acks, 5)) << "child exited early";
  ASSERT_EQ(::kill(child, SIGKILL), 0);
  while (read_some(pipe_fds[0], acks, 1000)) {
  }
  ::close(pipe_fds[0]);
  int wait_status = 0;
  ASSERT_EQ(::waitpid(child, &wait_status, 0), child);
  ASSERT_TRUE(WIFSIGNALED(wait_status) && WTERMSIG(wait_status) == SIGKILL)
    << "child did not die by SIGKILL, status " << wait_status;

  std::map<std::string, stream_index> highest_acked;
  std::istringstream lines(acks);
  std::string stream;
  stream_index index = 0;
  std::size_t ack_count = 0;
  while (lines >> stream >> index) {
    ++ack_count;
    auto& high = highest_acked[stream];
    high = std::max(high, index + 1);
  }
  ASSERT_GT(ack_count, 0u);

  auto log = event_log::open({dir.path(), durability::fsync});
  ASSERT_TRUE(log) << log.error().message;
  std::uint64_t stored = 0;
  for (auto& [name, needed] : highest_acked) {
    auto events = (*log)->read_stream(name, 0);
    ASSERT_TRUE(events);
    EXPECT_GE(events->size(), needed) << name << ": an acknowledged event was lost";
    for (std::size_t i = 0; i < events->size(); ++i)
      ASSERT_EQ((*events)[i].index, i) << name << ": indexes not contiguous";
    stored += events->size();
  }
  auto report = (*log)->audit(std::nullopt);
  ASSERT_TRUE(report);
  EXPECT_TRUE(report->valid) << report->reason;
  EXPECT_EQ(report->events, stored);
  EXPECT_GE(stored, ack_count);
  log = error{};  // close: `baley audit` opens the directory itself

  std::string command = std::string(BALEY_BINARY) + " audit --data " + dir.path();
  std::FILE* cli = ::popen(command.c_str(), "r");
  ASSERT_NE(cli, nullptr);
  char line[512] = {0};
  auto got = std::fgets(line, sizeof line, cli);
  EXPECT_EQ(::pclose(cli), 0) << "baley audit exits 0 on a valid log";
  ASSERT_NE(got, nullptr);
  EXPECT_NE(std::string(line).find("\"valid\":true"), std::string::npos) << line;
  RecordProperty("acknowledged", static_cast<int>(ack_count));
  RecordProperty("kill_after_ms", static_cast<int>(kill_after.count()));
}

} // namespace
} // namespace baley::storage
