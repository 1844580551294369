// Crash test: a child process (tests/programs/crash_child.cpp) appends with
// 16 threads in fsync mode and reports each acknowledged event; it is
// SIGKILLed at a random moment and every acknowledged event must be in the
// reopened, auditable log.
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
  // Built before fork: nothing after it but async-signal-safe calls.
  std::string exe = BALEY_CRASH_CHILD, data = dir.path(), fd = std::to_string(pipe_fds[1]);
  char* argv[] = {exe.data(), data.data(), fd.data(), nullptr};

  pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    ::close(pipe_fds[0]);
    ::execve(exe.c_str(), argv, environ);
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
  std::uint64_t index = 0;
  std::size_t ack_count = 0;
  while (lines >> stream >> index) {
    ++ack_count;
    auto& high = highest_acked[stream];
    high = std::max(high, stream_index{index + 1});
  }
  ASSERT_GT(ack_count, 0u);

  auto log = event_log::open({dir.path(), durability::fsync});
  ASSERT_TRUE(log) << log.error().message;
  std::uint64_t stored = 0;
  for (auto& [name, needed] : highest_acked) {
    auto events = (*log)->read_stream(name, stream_index{0});
    ASSERT_TRUE(events);
    EXPECT_GE(events->size(), needed.value()) << name << ": an acknowledged event was lost";
    for (std::size_t i = 0; i < events->size(); ++i)
      ASSERT_EQ((*events)[i].index.value(), i) << name << ": indexes not contiguous";
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
