// `baley jq-worker --memory-mb N --parent PID`: one worker process of the jq
// sandbox, started by the server (sandbox/jq_pool.hpp), never by a person.
#include "cli/command_line.hpp"

#include "sandbox/jq_worker.hpp"

namespace baley::cli {

int jq_worker_command(int argc, char** argv) {
  auto args = parse_arguments(argc, argv, 2, {"memory-mb", "parent"});
  if (!args)
    return fail(args.error());
  auto memory = number_flag(*args, "memory-mb", 256, 16, 65'536);
  auto parent = number_flag(*args, "parent", 0, 0, 1L << 30);
  if (!memory || !parent)
    return fail(!memory ? memory.error() : parent.error());
  return sandbox::run_jq_worker({.memory_mb = static_cast<std::uint64_t>(*memory),
                                 .parent = static_cast<pid_t>(*parent)});
}

} // namespace baley::cli
