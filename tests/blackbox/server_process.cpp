// `baley serve` for black-box tests; see server_process.hpp.
#include "server_process.hpp"

#include <boost/json.hpp>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace baley::testing {
namespace json = boost::json;
using namespace std::chrono_literals;
using clock_type = std::chrono::steady_clock;


server_process::server_process(std::vector<std::string> extra_args, std::string data_dir)
  : extra_args_(std::move(extra_args)), scratch_(std::make_unique<temp_dir>()),
    data_dir_(std::move(data_dir)) {
  if (data_dir_.empty())
    data_dir_ = scratch_->path + "/data";
}

server_process::~server_process() {
  if (running())
    kill();
}

bool server_process::start() {
  if (running())
    return true;
  static int starts = 0;
  stderr_path_ = scratch_->path + "/stderr-" + std::to_string(++starts) + ".log";
  std::vector<std::string> args = {"/bin/sh", "-c", "exec \"$@\" 2>>'" + stderr_path_ + "'",
                                   "sh", BALEY_BINARY, "serve", "--data", data_dir_,
                                   "--host", "127.0.0.1", "--port", "0"};
  args.insert(args.end(), extra_args_.begin(), extra_args_.end());
  {
    std::lock_guard lock(lines_mutex_);
    lines_.clear();
  }
  url_.clear();
  port_ = 0;
  token_line_.clear();
  startup_problem_.clear();
  child_ = std::make_unique<child_process>(args);
  auto deadline = clock_type::now() + 20s;
  while (url_.empty()) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - clock_type::now());
    auto line = left.count() > 0 ? child_->read_line(left) : std::nullopt;
    if (!line) {
      startup_problem_ = "no listening line within 20 s";
      kill();
      return false;
    }
    {
      std::lock_guard lock(lines_mutex_);
      lines_.push_back(*line);
    }
    boost::system::error_code ec;
    auto v = json::parse(*line, ec);
    if (ec || !v.is_object())
      continue;
    auto msg = string_at(v, "msg");
    if (msg == "admin token created") {
      admin_token_ = string_at(v, "adminToken");
      token_line_ = *line;
    } else if (msg == "listening") {
      url_ = string_at(v, "url");
      if (auto* p = v.as_object().if_contains("port"); p && p->is_number())
        port_ = static_cast<int>(p->to_number<std::int64_t>());
    }
  }
  if (token_line_.empty()) {
    auto text = read_text(data_dir_ + "/admin-token");
    while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back())))
      text.pop_back();
    admin_token_ = text;
  }
  stop_drain_ = false;
  drain_ = std::thread([this] {
    while (!stop_drain_) {
      auto began = clock_type::now();
      if (auto line = child_->read_line(100ms)) {
        std::lock_guard lock(lines_mutex_);
        lines_.push_back(*line);
      } else if (clock_type::now() - began < 50ms) {
        std::this_thread::sleep_for(50ms);  // at EOF read_line returns at once
      }
    }
  });
  return true;
}

void server_process::reap(int signal_number) {
  if (!child_)
    return;
  child_->signal(signal_number);
  if (!wait_exit(child_->pid(), 20s)) {
    child_->kill_hard();
    wait_exit(child_->pid(), 5s);
  }
  stop_drain_ = true;
  if (drain_.joinable())
    drain_.join();
}

int server_process::stop(int signal_number) {
  if (!child_)
    return -1;
  reap(signal_number);
  auto r = child_->wait();
  child_.reset();
  return r.exit_code;
}

void server_process::kill() {
  if (!child_)
    return;
  reap(SIGKILL);
  child_->wait();
  child_.reset();
}

std::vector<std::string> server_process::stdout_lines() const {
  std::lock_guard lock(lines_mutex_);
  return lines_;
}

std::string server_process::stderr_text() const { return read_text(stderr_path_); }

std::string server_process::diagnostics() const {
  std::string out = startup_problem_.empty() ? "" : startup_problem_ + "\n";
  auto lines = stdout_lines();
  out += "--- server stdout (last lines)\n";
  for (std::size_t i = lines.size() > 30 ? lines.size() - 30 : 0; i < lines.size(); ++i)
    out += lines[i] + "\n";
  auto err = stderr_text();
  out += "--- server stderr (tail)\n" + (err.size() > 4000 ? err.substr(err.size() - 4000) : err);
  return out;
}

void server_test::SetUp() {
  ASSERT_TRUE(server_.start()) << server_.diagnostics();
  api_ = server_.admin();
}

} // namespace baley::testing
