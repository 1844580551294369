// `baley admin rebuild --data DIR`: drops every projection of a stopped
// server's data dir and writes them again from the global log; prints the
// rows and a digest of each family before and after, and whether they match.
#include "cli/command_line.hpp"

#include "storage/insight_projector.hpp"
#include "storage/rebuild.hpp"

#include <boost/json.hpp>

#include <cstdio>
#include <filesystem>
#include <iostream>

namespace baley::cli {
namespace {

constexpr const char* admin_usage = "usage: baley admin rebuild --data DIR";

std::string hex(std::uint64_t v) {
  char text[17];
  std::snprintf(text, sizeof text, "%016llx", static_cast<unsigned long long>(v));
  return text;
}

} // namespace

int admin_command(int argc, char** argv) {
  if (argc < 3 || std::string(argv[2]) != "rebuild")
    return fail(error{"usage", admin_usage, {}});
  auto args = parse_arguments(argc, argv, 3, {"data"});
  if (!args)
    return fail(args.error());
  auto dir = args->flag("data");
  if (!dir || !args->positional.empty())
    return fail(error{"usage", admin_usage, {}});
  if (!std::filesystem::is_directory(*dir))
    return fail(error{"data_dir_unusable", "no data directory at " + *dir, {}});
  auto log = storage::event_log::open({*dir, storage::durability::fsync});
  if (!log)
    return fail(log.error(), exit_code::failed);
  (*log)->set_projector(storage::make_insight_projector());
  auto before = storage::digest_projections(**log);
  if (!before)
    return fail(before.error(), exit_code::failed);
  auto report = storage::rebuild_projections(**log);
  if (!report)
    return fail(report.error(), exit_code::failed);
  auto after = storage::digest_projections(**log);
  if (!after)
    return fail(after.error(), exit_code::failed);
  boost::json::object families;
  for (const auto& [name, b] : *before) {
    const auto& a = (*after)[name];
    families[name] = {{"rowsBefore", b.rows}, {"rowsAfter", a.rows},
                      {"digestBefore", hex(b.digest)}, {"digestAfter", hex(a.digest)},
                      {"identical", a == b}};
  }
  double rate = report->seconds > 0 ? static_cast<double>(report->events) / report->seconds : 0;
  std::cout << boost::json::serialize(boost::json::object{
                 {"msg", "projections rebuilt"},
                 {"events", report->events},
                 {"puts", report->puts},
                 {"seconds", report->seconds},
                 {"eventsPerSecond", rate},
                 {"identical", *before == *after},
                 {"families", std::move(families)}})
            << std::endl;
  (*log)->close();
  return exit_code::completed;
}

} // namespace baley::cli
