// Flag parsing, errors and output lines shared by the subcommands.
#include "cli/command_line.hpp"

#include "runtime/flow/flow.hpp"
#include "runtime/numbers.hpp"

#include <boost/json/serialize.hpp>

#include <algorithm>
#include <thread>
#include <cstdio>
#include <filesystem>
#include <iostream>

namespace baley::cli {
using std::to_string;  // and named_type's, found by ADL

std::optional<std::string> arguments::flag(const std::string& name) const {
  auto it = flags.find(name);
  if (it == flags.end())
    return std::nullopt;
  return it->second;
}

result<arguments> parse_arguments(int argc, char** argv, int first,
                                  const std::vector<std::string>& known_flags,
                                  const std::vector<std::string>& switches) {
  arguments out;
  for (int i = first; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg.rfind("--", 0) != 0) {
      out.positional.push_back(std::move(arg));
      continue;
    }
    auto name = arg.substr(2);
    std::optional<std::string> inline_value;
    if (auto eq = name.find('='); eq != std::string::npos) {
      inline_value = name.substr(eq + 1);
      name = name.substr(0, eq);
    }
    bool is_switch = std::count(switches.begin(), switches.end(), name) > 0;
    if (!is_switch && !std::count(known_flags.begin(), known_flags.end(), name))
      return error{"usage", "unknown option --" + name, {}};
    if (is_switch) {
      out.flags[name] = "true";
    } else if (inline_value) {
      out.flags[name] = *inline_value;
    } else if (i + 1 < argc) {
      out.flags[name] = argv[++i];
    } else {
      return error{"usage", "option --" + name + " needs a value", {}};
    }
  }
  return out;
}

void print_error(const error& err, boost::json::object extra) {
  boost::json::object o;
  o["error"] = err.message;
  o["code"] = err.code;
  if (!err.node_id.empty())
    o["nodeId"] = err.node_id;
  for (auto& [key, value] : extra)
    o[key] = value;
  std::cerr << boost::json::serialize(o) << std::endl;
}

int fail(const error& err, int code) {
  print_error(err);
  return code;
}

result<storage::durability> parse_durability(const std::optional<std::string>& text) {
  if (!text || *text == "fsync")
    return storage::durability::fsync;
  if (*text == "buffered")
    return storage::durability::buffered;
  return error{"usage", "--durability must be fsync or buffered, not '" + *text + "'", {}};
}

result<long> number_flag(const arguments& args, const std::string& name, long fallback,
                         long min, long max) {
  auto text = args.flag(name);
  if (!text)
    return fallback;
  auto value = runtime::parse_integer<long>(*text, min, max);
  if (!value)
    return error{"usage", "--" + name + " must be an integer from " + to_string(min)
                            + " to " + to_string(max), {}};
  return *value;
}

result<sandbox::jq_pool_options> jq_options_of(const arguments& args) {
  sandbox::jq_pool_options options;
  auto timeout = number_flag(args, "jq-timeout-ms", 5'000, 1, runtime::max_jq_timeout_ms);
  auto memory = number_flag(args, "jq-memory-mb", 256, 16, 65'536);
  auto workers = number_flag(args, "jq-workers",
                             std::max(2u, std::thread::hardware_concurrency()), 1, 64);
  for (const auto* r : {&timeout, &memory, &workers})
    if (!*r)
      return r->error();
  options.default_timeout = std::chrono::milliseconds(*timeout);
  options.memory_mb = static_cast<std::uint64_t>(*memory);
  options.workers = static_cast<std::size_t>(*workers);
  return options;
}

status prepare_data_dir(const std::string& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec || !std::filesystem::is_directory(dir, ec))
    return error{"data_dir_unusable",
                 "cannot use data directory " + dir + ": "
                   + (ec ? ec.message() : std::string("not a directory")), {}};
  return ok;
}

std::string ndjson_line(std::string_view execution_id, stream_index index,
                        std::string_view event_json) {
  std::string line;
  line.reserve(event_json.size() + execution_id.size() + 48);
  line += "{\"executionId\":\"";
  line += execution_id;
  line += "\",\"index\":";
  line += to_string(index);
  line += ",\"event\":";
  line += event_json;
  line += "}\n";
  return line;
}

} // namespace baley::cli
