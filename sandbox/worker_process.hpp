// One worker child process behind a Unix socket pair: started with
// posix_spawn (a clean signal mask, only fds 0-2), its socket the child's
// stdin and stdout. Killed with SIGKILL and reaped by its owner.
#pragma once

#include "runtime/result.hpp"

#include <string>
#include <sys/types.h>
#include <vector>

namespace baley::sandbox {

// How a child process ended.
struct child_exit {
  bool signaled = false;
  int code = 0;  // exit status, or the signal number when signaled
};

class worker_process {
public:
  // Starts argv[0] with `argv`; "spawn_failed" when it cannot.
  static result<worker_process> spawn(const std::vector<std::string>& argv);

  worker_process(worker_process&& other) noexcept;
  worker_process& operator=(worker_process&& other) noexcept;
  worker_process(const worker_process&) = delete;
  worker_process& operator=(const worker_process&) = delete;
  ~worker_process();  // kills and reaps

  int fd() const { return fd_; }  // the parent's end: non-blocking reads
  pid_t pid() const { return pid_; }

  // Writes all of `bytes` (blocking); false when the child is gone.
  bool send(const std::string& bytes);

  // SIGKILL, then waits for the child; how it ended.
  child_exit kill_and_reap();
  // Waits for a child that is exiting by itself (its socket hung up).
  child_exit reap();

private:
  worker_process(pid_t pid, int fd) : pid_(pid), fd_(fd) {}
  void close_fd();

  pid_t pid_ = -1;
  int fd_ = -1;
};

} // namespace baley::sandbox
