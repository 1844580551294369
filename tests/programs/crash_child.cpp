// The child side of the storage crash test (tests/storage/crash_test.cpp):
// appends with 16 threads in fsync mode to the log in argv[1] and writes one
// line "stream index" to fd argv[2] for each acknowledged event, until it is
// killed. A program of its own, so that no test run lists it.
#include "storage/event_log.hpp"

#include <cstdlib>
#include <string>
#include <thread>
#include <unistd.h>
#include <vector>

namespace {

constexpr int writer_threads = 16;
constexpr int streams = 4;  // 4 threads share each stream

} // namespace

int main(int argc, char** argv) {
  using namespace baley::storage;
  if (argc != 3)
    return 2;
  int fd = std::atoi(argv[2]);
  auto log = event_log::open({argv[1], durability::fsync});
  if (!log)
    return 3;
  std::vector<std::thread> threads;
  for (int t = 0; t < writer_threads; ++t)
    threads.emplace_back([&, t] {
      auto stream = "crash/" + std::to_string(t % streams);
      for (int n = 0;; ++n) {
        append_request r;
        r.stream = stream;
        r.events.push_back(R"({"type":"crash","writer":)" + std::to_string(t)
                           + ",\"n\":" + std::to_string(n) + "}");
        auto appended = (*log)->append(std::move(r));
        if (!appended)
          _exit(4);
        auto line = stream + " " + to_string((*appended)[0].index) + "\n";
        if (::write(fd, line.data(), line.size()) != static_cast<ssize_t>(line.size()))
          _exit(5);  // one write per line: atomic on a pipe (< PIPE_BUF)
      }
    });
  for (auto& thread : threads)
    thread.join();
  return 0;
}
