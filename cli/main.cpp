// Entry point of the `baley` binary: dispatches to one subcommand.
#include "cli/command_line.hpp"

#include <cstdlib>
#include <cstring>
#include <iostream>

namespace {

constexpr const char* usage =
  "usage: baley <command> [options]\n"
  "  run FLOW.json [--input JSON | --input-file F] [--data DIR] [--durability fsync|buffered]\n"
  "      [--jq-timeout-ms N] [--jq-memory-mb N] [--jq-workers N]\n"
  "  resume --data DIR [--durability fsync|buffered] [jq flags as run]\n"
  "  replay EXECUTION_ID --data DIR [--from N]\n"
  "  audit --data DIR [EXECUTION_ID]\n"
  "  serve [--data DIR] [--host H] [--port P] [--durability fsync|buffered] [jq flags as run]\n"
  "      [--debug] (see `baley serve --help`)\n"
  "  bench append [--writers N] [--events N] [--value-bytes B] [--durability M] [--dir D]\n"
  "  bench sse | jq | analytics [...]   (see `baley bench`)\n"
  "  admin rebuild --data DIR   (every projection dropped and rebuilt from the log)\n";

} // namespace

int main(int argc, char** argv) {
  using namespace baley::cli;
  // libjq 1.6 loads $HOME/.jq into every program it compiles, which would let
  // a file outside the flow change what function blocks compute.
  ::unsetenv("HOME");
  if (argc < 2 || !std::strcmp(argv[1], "--help") || !std::strcmp(argv[1], "help")) {
    (argc < 2 ? std::cerr : std::cout) << usage;
    return argc < 2 ? exit_code::invalid : 0;
  }
  std::string command = argv[1];
  if (command == "run")
    return run_command(argc, argv);
  if (command == "resume")
    return resume_command(argc, argv);
  if (command == "replay")
    return replay_command(argc, argv);
  if (command == "audit")
    return audit_command(argc, argv);
  if (command == "bench")
    return bench_command(argc, argv);
  if (command == "admin")
    return admin_command(argc, argv);
  if (command == "serve")
    return serve_command(argc, argv);
  if (command == "jq-worker")
    return jq_worker_command(argc, argv);
  std::cerr << usage;
  return fail(baley::error{"usage", "unknown command '" + command + "'", {}});
}
