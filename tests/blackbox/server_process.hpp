// `baley serve` as a child process for black-box HTTP tests: started on a
// temp data dir with --port 0, ready once it prints its listening line, its
// stdout drained on a thread (so it never blocks on a full pipe) and its
// stderr kept in a file for failure messages. Stopped with SIGTERM (or
// SIGKILL) and restartable on the same data dir.
#pragma once

#include "api_client.hpp"
#include "process.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace baley::testing {

class server_process {
public:
  // `extra_args` follow `serve --data DIR --host 127.0.0.1 --port 0`.
  // An empty `data_dir` means a fresh one under a temp dir.
  explicit server_process(std::vector<std::string> extra_args = {}, std::string data_dir = {});
  ~server_process();
  server_process(const server_process&) = delete;
  server_process& operator=(const server_process&) = delete;

  // Starts (or starts again, on the same data dir) and waits up to 20 s for
  // the listening line. False on failure; diagnostics() says why.
  bool start();
  // SIGTERM (or `signal_number`), waits up to 20 s (SIGKILL after that);
  // the exit code, -1 when killed by a signal.
  int stop(int signal_number = 15);
  // SIGKILL and reap.
  void kill();
  bool running() const { return child_ != nullptr; }
  // The server's process id (its own, not the shell's that started it).
  int pid() const { return child_ ? child_->pid() : -1; }

  const std::string& url() const { return url_; }
  int port() const { return port_; }
  const std::string& admin_token() const { return admin_token_; }
  const std::string& data_dir() const { return data_dir_; }
  // The `admin token created` line of this start, "" when it printed none.
  const std::string& token_line() const { return token_line_; }
  api_client admin() const { return api_client(url_, admin_token_); }
  api_client client(const std::string& token) const { return api_client(url_, token); }

  // Every stdout line of the current run so far.
  std::vector<std::string> stdout_lines() const;
  std::string stderr_text() const;
  // What went wrong, for assertion messages: stdout and stderr tails.
  std::string diagnostics() const;

private:
  void reap(int signal_number);
  std::vector<std::string> extra_args_;
  std::unique_ptr<temp_dir> scratch_;
  std::string data_dir_;
  std::string stderr_path_;
  std::unique_ptr<child_process> child_;
  std::thread drain_;
  std::atomic<bool> stop_drain_{false};
  mutable std::mutex lines_mutex_;
  std::vector<std::string> lines_;
  std::string url_;
  int port_ = 0;
  std::string admin_token_;
  std::string token_line_;
  std::string startup_problem_;
};

// A test with a running server (durability `buffered`, for speed) and an
// admin client.
class server_test : public ::testing::Test {
protected:
  explicit server_test(std::vector<std::string> extra_args = {"--durability", "buffered"})
    : server_(std::move(extra_args)) {}
  void SetUp() override;

  server_process server_;
  api_client api_;
};

} // namespace baley::testing
