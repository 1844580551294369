// Worker child processes; see worker_process.hpp.
#include "sandbox/worker_process.hpp"

#include <cerrno>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace baley::sandbox {
namespace {

child_exit exit_of(int status) {
  if (WIFSIGNALED(status))
    return {true, WTERMSIG(status)};
  return {false, WIFEXITED(status) ? WEXITSTATUS(status) : 0};
}

child_exit wait_child(pid_t pid) {
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR)
      return {};
  }
  return exit_of(status);
}

} // namespace

result<worker_process> worker_process::spawn(const std::vector<std::string>& argv) {
  int fds[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) != 0)
    return error{"spawn_failed", std::string("socketpair: ") + std::strerror(errno), {}};
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, fds[1], 0);
  posix_spawn_file_actions_adddup2(&actions, fds[1], 1);
  posix_spawn_file_actions_addclosefrom_np(&actions, 3);
  posix_spawnattr_t attributes;
  posix_spawnattr_init(&attributes);
  sigset_t none, all;
  sigemptyset(&none);
  sigfillset(&all);
  posix_spawnattr_setsigmask(&attributes, &none);
  posix_spawnattr_setsigdefault(&attributes, &all);
  posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
  std::vector<char*> args;
  for (const auto& a : argv)
    args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = -1;
  int spawned = ::posix_spawn(&pid, args[0], &actions, &attributes, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attributes);
  ::close(fds[1]);
  if (spawned != 0) {
    ::close(fds[0]);
    return error{"spawn_failed", "cannot start " + argv[0] + ": " + std::strerror(spawned), {}};
  }
  ::fcntl(fds[0], F_SETFL, ::fcntl(fds[0], F_GETFL) | O_NONBLOCK);
  return worker_process(pid, fds[0]);
}

worker_process::worker_process(worker_process&& other) noexcept
  : pid_(other.pid_), fd_(other.fd_) {
  other.pid_ = -1;
  other.fd_ = -1;
}

worker_process& worker_process::operator=(worker_process&& other) noexcept {
  if (this != &other) {
    if (pid_ > 0)
      kill_and_reap();
    close_fd();
    pid_ = other.pid_;
    fd_ = other.fd_;
    other.pid_ = -1;
    other.fd_ = -1;
  }
  return *this;
}

worker_process::~worker_process() {
  if (pid_ > 0)
    kill_and_reap();
  close_fd();
}

void worker_process::close_fd() {
  if (fd_ >= 0)
    ::close(fd_);
  fd_ = -1;
}

bool worker_process::send(const std::string& bytes) {
  std::size_t at = 0;
  int stalls = 0;  // an idle worker reads at once; one that does not is broken
  while (at < bytes.size()) {
    auto n = ::send(fd_, bytes.data() + at, bytes.size() - at, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      pollfd writable{fd_, POLLOUT, 0};
      if (::poll(&writable, 1, 1000) == 0 && ++stalls == 10)
        return false;
      continue;
    }
    if (n <= 0)
      return false;
    at += static_cast<std::size_t>(n);
  }
  return true;
}

child_exit worker_process::kill_and_reap() {
  if (pid_ <= 0)
    return {};
  ::kill(pid_, SIGKILL);
  auto how = wait_child(pid_);
  pid_ = -1;
  close_fd();
  return how;
}

child_exit worker_process::reap() {
  if (pid_ <= 0)
    return {};
  auto how = wait_child(pid_);
  pid_ = -1;
  close_fd();
  return how;
}

} // namespace baley::sandbox
