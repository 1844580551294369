// The jq worker loop; see jq_worker.hpp. Compiled programs are cached by text
// for the worker's life (a bounded number of them).
#include "sandbox/jq_worker.hpp"

#include "os/fd_io.hpp"
#include "sandbox/jq_frames.hpp"
#include "runtime/jq/jq_program.hpp"
#include "runtime/json_text.hpp"

#include <boost/json/serialize.hpp>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <fstream>
#include <memory>
#include <string>
#include <unordered_map>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <unistd.h>

namespace baley::sandbox {
namespace {

constexpr std::size_t max_cached_programs = 512;

// The reply written when libjq cannot allocate: built at start, so that
// writing it needs no allocation.
std::string& out_of_memory_frame() {
  static std::string frame;
  return frame;
}

extern "C" void on_jq_out_of_memory(void*) {
  const auto& frame = out_of_memory_frame();
  [[maybe_unused]] auto written = ::write(1, frame.data(), frame.size());
  ::_exit(exit_out_of_memory);
}

// The next request payload from fd 0; empty optional at EOF.
std::optional<std::string> read_payload() {
  char prefix[4];
  if (!os::read_exactly(0, prefix, 4))
    return std::nullopt;
  std::uint32_t length = 0;
  for (int i = 0; i < 4; ++i)
    length |= static_cast<std::uint32_t>(static_cast<unsigned char>(prefix[i])) << (8 * i);
  if (length > max_frame_bytes)
    return std::nullopt;
  std::string payload(length, '\0');
  if (!os::read_exactly(0, payload.data(), length))
    return std::nullopt;
  return payload;
}

std::uint64_t virtual_size_bytes() {
  std::ifstream statm("/proc/self/statm");
  std::uint64_t pages = 0;
  statm >> pages;
  return pages * static_cast<std::uint64_t>(::sysconf(_SC_PAGESIZE));
}

// The CPU time this process used so far, in whole seconds rounded up.
rlim_t cpu_seconds_used() {
  rusage usage{};
  ::getrusage(RUSAGE_SELF, &usage);
  auto micros = (usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) * 1'000'000L
                + usage.ru_utime.tv_usec + usage.ru_stime.tv_usec;
  return static_cast<rlim_t>((micros + 999'999) / 1'000'000);
}

// A backstop for a server that stops watching: SIGXCPU a little after the
// budget. The server's own timer kills the worker first.
void limit_cpu(std::uint32_t timeout_ms) {
  rlimit cpu{};
  ::getrlimit(RLIMIT_CPU, &cpu);
  cpu.rlim_cur = cpu_seconds_used() + (timeout_ms + 999) / 1000 + 2;
  if (cpu.rlim_max != RLIM_INFINITY && cpu.rlim_cur > cpu.rlim_max)
    cpu.rlim_cur = cpu.rlim_max;
  ::setrlimit(RLIMIT_CPU, &cpu);
}

jq_reply failure(std::string code, std::string message) {
  return jq_reply{false, std::move(code), std::move(message)};
}

jq_reply memory_exceeded(const worker_settings& settings) {
  return failure(runtime::limit_exceeded_code,
                 "the jq evaluation went over its memory budget of "
                   + std::to_string(settings.memory_mb) + " MiB");
}

class evaluator {
public:
  explicit evaluator(const worker_settings& settings) : settings_(settings) {}

  jq_reply evaluate(const jq_request& request) {
    auto program = compiled(request.program);
    if (!program)
      return failure(program.error().code, program.error().message);
    boost::system::error_code ec;
    auto input = runtime::parse_stored_json(request.input_json, ec);
    if (ec)
      return failure("invalid_input", "the input is not JSON: " + ec.message());
    limit_cpu(request.timeout_ms);
    auto outputs = (*program)->run(input);
    if (!outputs) {
      if (outputs.error().code == runtime::jq_out_of_memory_code)
        return memory_exceeded(settings_);
      return failure(outputs.error().code, outputs.error().message);
    }
    auto text = boost::json::serialize(
      boost::json::array(std::make_move_iterator(outputs->begin()),
                         std::make_move_iterator(outputs->end())));
    if (text.size() > max_frame_bytes - 64)
      return failure(runtime::limit_exceeded_code,
                     "the jq outputs are over " + std::to_string(max_frame_bytes >> 20)
                       + " MiB of JSON");
    return jq_reply{true, {}, std::move(text)};
  }

private:
  result<std::shared_ptr<runtime::jq_program>> compiled(const std::string& code) {
    if (auto it = programs_.find(code); it != programs_.end())
      return it->second;
    auto program = runtime::jq_program::compile(code);
    if (!program)
      return program;
    if (programs_.size() >= max_cached_programs)
      programs_.clear();
    programs_.emplace(code, *program);
    return program;
  }

  const worker_settings& settings_;
  std::unordered_map<std::string, std::shared_ptr<runtime::jq_program>> programs_;
};

// Dies with the server, drops what the server's fds would leak, no cores.
void detach_from_server(const worker_settings& settings) {
  ::prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (settings.parent != 0 && ::getppid() != settings.parent)
    ::_exit(1);  // the server died before the line above
  ::close_range(3, ~0U, 0);
  rlimit none{0, 0};
  ::setrlimit(RLIMIT_CORE, &none);
}

void limit_memory(const worker_settings& settings) {
  rlimit as{};
  as.rlim_cur = as.rlim_max = virtual_size_bytes() + settings.memory_mb * (1ull << 20);
  ::setrlimit(RLIMIT_AS, &as);
}

} // namespace

int run_jq_worker(const worker_settings& settings) {
  detach_from_server(settings);
  evaluator jq(settings);
  out_of_memory_frame() = encode_reply(memory_exceeded(settings));
  runtime::set_jq_out_of_memory_handler(on_jq_out_of_memory);
  // Warm up libjq (its builtins, regex tables) before measuring the baseline.
  (void)jq.evaluate(jq_request{"[.[] | tostring | test(\"a\")]", "[1]", 1000});
  limit_memory(settings);
  while (auto payload = read_payload()) {
    jq_reply reply;
    try {
      auto request = decode_request(*payload);
      reply = request ? jq.evaluate(*request)
                      : failure(request.error().code, request.error().message);
    } catch (const std::bad_alloc&) {
      reply = memory_exceeded(settings);
    }
    if (!os::write_all(1, encode_reply(reply)))
      return 1;
  }
  return 0;
}

} // namespace baley::sandbox
