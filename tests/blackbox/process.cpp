// Child processes for black-box tests; see process.hpp.
#include "process.hpp"

#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <algorithm>
#include <sstream>
#include <thread>
#include <poll.h>
#include <stdexcept>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

namespace baley::testing {
namespace {

void read_all(int fd, std::string& into) {
  char buf[65536];
  for (;;) {
    auto n = ::read(fd, buf, sizeof buf);
    if (n > 0)
      into.append(buf, static_cast<size_t>(n));
    else if (n < 0 && errno == EINTR)
      continue;
    else
      break;
  }
}

} // namespace

child_process::child_process(const std::vector<std::string>& args) {
  int out[2], err[2];
  if (::pipe(out) != 0 || ::pipe(err) != 0)
    throw std::runtime_error("pipe failed");
  auto parent = ::getpid();
  pid_ = ::fork();
  if (pid_ == 0) {
    // A test binary that crashes takes its servers and mocks with it,
    // instead of leaving them running (the exec keeps this setting).
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent)
      std::_Exit(127);
    ::dup2(out[1], 1);
    ::dup2(err[1], 2);
    ::close(out[0]);
    ::close(err[0]);
    ::close(out[1]);
    ::close(err[1]);
    std::vector<char*> argv;
    for (const auto& a : args)
      argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    ::execv(argv[0], argv.data());
    std::_Exit(127);
  }
  ::close(out[1]);
  ::close(err[1]);
  out_fd_ = out[0];
  err_fd_ = err[0];
}

child_process::~child_process() {
  if (!reaped_) {
    kill_hard();
    wait();
  }
}

std::optional<std::string> child_process::read_line(std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    if (auto nl = out_buffer_.find('\n'); nl != std::string::npos) {
      auto line = out_buffer_.substr(0, nl);
      out_buffer_.erase(0, nl + 1);
      all_out_ += line + "\n";
      return line;
    }
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
      deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0)
      return std::nullopt;
    pollfd p{out_fd_, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(left.count())) <= 0)
      continue;
    char buf[4096];
    auto n = ::read(out_fd_, buf, sizeof buf);
    if (n <= 0)
      return std::nullopt;
    out_buffer_.append(buf, static_cast<size_t>(n));
  }
}

void child_process::kill_hard() {
  signal(SIGKILL);
}

void child_process::signal(int signal_number) {
  if (!reaped_ && pid_ > 0)
    ::kill(pid_, signal_number);
}

process_result child_process::wait() {
  process_result r;
  if (!reaped_) {
    std::string rest_out, rest_err;
    // Read both pipes to the end; stderr is small, so read it after stdout.
    read_all(out_fd_, rest_out);
    read_all(err_fd_, rest_err);
    ::waitpid(pid_, &status_, 0);
    reaped_ = true;
    ::close(out_fd_);
    ::close(err_fd_);
    out_buffer_ += rest_out;
    r.err = std::move(rest_err);
  }
  r.out = all_out_ + out_buffer_;
  r.exit_code = WIFEXITED(status_) ? WEXITSTATUS(status_) : -1;
  return r;
}

process_result run_process(const std::vector<std::string>& args) {
  child_process child(args);
  return child.wait();
}

std::vector<std::string> baley(std::vector<std::string> args) {
  args.insert(args.begin(), BALEY_BINARY);
  return args;
}

temp_dir::temp_dir() {
  auto pattern = (std::filesystem::temp_directory_path() / "baley-test-XXXXXX").string();
  if (!::mkdtemp(pattern.data()))
    throw std::runtime_error("mkdtemp failed");
  path = pattern;
}

temp_dir::~temp_dir() {
  std::error_code ec;
  std::filesystem::remove_all(path, ec);
}

std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// Exited but not reaped: state 'Z' (or 'X') in /proc/PID/stat.
bool has_exited(int pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto close = text.rfind(')');
  return close == std::string::npos || close + 2 >= text.size() || text[close + 2] == 'Z'
         || text[close + 2] == 'X';
}

bool wait_exit(int pid, std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!has_exited(pid)) {
    if (std::chrono::steady_clock::now() > deadline)
      return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return true;
}

namespace {

// The fields of /proc/<pid>/stat after the command name, from the state on.
std::vector<std::string> stat_fields(int pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto close = text.rfind(')');
  std::vector<std::string> fields;
  if (close == std::string::npos)
    return fields;
  std::istringstream rest(text.substr(close + 2));
  for (std::string field; rest >> field;)
    fields.push_back(field);
  return fields;
}

} // namespace

std::vector<int> children_of(int pid) {
  std::vector<int> out;
  for (const auto& entry : std::filesystem::directory_iterator("/proc")) {
    auto name = entry.path().filename().string();
    if (name.empty() || !std::all_of(name.begin(), name.end(), ::isdigit))
      continue;
    auto fields = stat_fields(std::stoi(name));
    // fields[0] is the state, fields[1] the parent pid.
    if (fields.size() > 1 && fields[1] == std::to_string(pid) && fields[0] != "Z")
      out.push_back(std::stoi(name));
  }
  return out;
}

std::uint64_t cpu_ticks(int pid) {
  auto fields = stat_fields(pid);
  // utime and stime are fields 14 and 15 of stat: 11 and 12 from the state.
  if (fields.size() < 13)
    return 0;
  return std::stoull(fields[11]) + std::stoull(fields[12]);
}

void write_file(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
}

} // namespace baley::testing
