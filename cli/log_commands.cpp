// `baley replay` and `baley audit`: read the stored log without running
// anything.
#include "cli/command_line.hpp"

#include "runtime/numbers.hpp"
#include "runtime/stream_names.hpp"

#include <boost/json/serialize.hpp>

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <iostream>

namespace baley::cli {
namespace {

result<std::unique_ptr<storage::event_log>> open_existing(const arguments& args) {
  auto dir = args.flag("data");
  if (!dir)
    return error{"usage", "--data DIR is required", {}};
  if (!std::filesystem::is_directory(*dir))
    return error{"data_dir_unusable", "no data directory at " + *dir, {}};
  return storage::event_log::open({*dir, storage::durability::fsync});
}

} // namespace

int replay_command(int argc, char** argv) {
  auto args = parse_arguments(argc, argv, 2, {"data", "from"});
  if (!args)
    return fail(args.error());
  if (args->positional.size() != 1)
    return fail(error{"usage", "usage: baley replay EXECUTION_ID --data DIR [--from N]", {}});
  stream_index from{0};
  if (auto text = args->flag("from")) {
    auto n = runtime::parse_integer<std::uint64_t>(*text, 0, UINT64_MAX - 1);
    if (!n)
      return fail(error{"usage", "--from must be a non-negative integer", {}});
    from = stream_index{*n};
  }
  auto log = open_existing(*args);
  if (!log)
    return fail(log.error());
  const auto& id = args->positional[0];
  auto stream = names::execution_stream(id);
  auto next = (*log)->next_index(stream);
  if (!next)
    return fail(next.error(), exit_code::failed);
  if (*next == stream_index{0})
    return fail(error{"not_found", "no execution " + id, {}});
  auto events = (*log)->read_stream(stream, from);
  if (!events)
    return fail(events.error(), exit_code::failed);
  for (const auto& e : *events) {
    auto line = ndjson_line(id, e.index, storage::event_bytes(e.record));
    std::fwrite(line.data(), 1, line.size(), stdout);
  }
  return exit_code::completed;
}

int audit_command(int argc, char** argv) {
  auto args = parse_arguments(argc, argv, 2, {"data"});
  if (!args)
    return fail(args.error());
  if (args->positional.size() > 1)
    return fail(error{"usage", "usage: baley audit --data DIR [EXECUTION_ID]", {}});
  auto log = open_existing(*args);
  if (!log)
    return fail(log.error());
  std::optional<std::string> stream;
  if (!args->positional.empty())
    stream = names::execution_stream(args->positional[0]);
  auto report = (*log)->audit(stream ? std::optional<std::string_view>(*stream)
                                     : std::nullopt);
  if (!report)
    return fail(report.error(), exit_code::failed);
  boost::json::object o;
  o["valid"] = report->valid;
  o["streams"] = report->streams;
  o["events"] = report->events;
  if (!report->valid) {
    boost::json::object bad;
    bad["stream"] = report->bad_stream.value_or("");
    bad["index"] = report->bad_index.value_or(stream_index{0}).value();
    bad["reason"] = report->reason;
    o["firstBad"] = std::move(bad);
  }
  std::cout << boost::json::serialize(o) << std::endl;
  return report->valid ? exit_code::completed : exit_code::failed;
}

} // namespace baley::cli
