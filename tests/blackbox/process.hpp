// Starts the real `baley` binary as a child process with pipes, for black-box
// tests: wait for it, read its output line by line, or kill it.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace baley::testing {

struct process_result {
  int exit_code = -1;  // -1 when killed by a signal
  std::string out;
  std::string err;
};

class child_process {
public:
  explicit child_process(const std::vector<std::string>& args);
  ~child_process();
  child_process(const child_process&) = delete;
  child_process& operator=(const child_process&) = delete;

  // The next line of stdout (without '\n'), or nullopt at EOF or timeout.
  std::optional<std::string> read_line(std::chrono::milliseconds timeout);

  void kill_hard();                // SIGKILL
  void signal(int signal_number);  // any signal
  process_result wait();           // reads the rest of the output, reaps
  int pid() const { return pid_; }

private:
  int pid_ = -1;
  int out_fd_ = -1;
  int err_fd_ = -1;
  std::string out_buffer_;  // read but not yet returned by read_line
  std::string all_out_;     // every line returned so far
  bool reaped_ = false;
  int status_ = 0;
};

// Runs to completion.
process_result run_process(const std::vector<std::string>& args);

// `baley` with arguments.
std::vector<std::string> baley(std::vector<std::string> args);

// A fresh directory under the system temp dir, removed at destruction.
struct temp_dir {
  std::string path;
  temp_dir();
  ~temp_dir();
};

// Writes text to path.
void write_file(const std::string& path, const std::string& text);
// A file's whole content ("" when it cannot be read).
std::string read_text(const std::string& path);

// Whether `pid` has exited (a zombie not reaped yet counts), and a wait for
// it with a deadline, both without reaping behind child_process's back.
bool has_exited(int pid);
bool wait_exit(int pid, std::chrono::milliseconds timeout);

// The live child processes of `pid` (from /proc), and the CPU time a process
// used so far (user + system, in clock ticks; 0 when it is gone).
std::vector<int> children_of(int pid);
std::uint64_t cpu_ticks(int pid);

} // namespace baley::testing
