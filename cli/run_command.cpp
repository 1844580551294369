// `baley run FLOW.json` and `baley resume --data DIR`: run executions on an
// embedded engine and print their committed events as NDJSON.
#include "cli/command_line.hpp"
#include "cli/execution_watch.hpp"

#include "actors/catalog_loader.hpp"
#include "actors/recovery.hpp"
#include "runtime/flow/flow_input.hpp"
#include "runtime/json_text.hpp"

#include <caf/all.hpp>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <thread>

namespace baley::cli {
namespace json = boost::json;
namespace {

result<std::string> read_file(const std::string& path, std::string_view what) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    return error{"unreadable_file", "cannot read " + std::string(what) + " " + path
                                      + ": " + std::strerror(errno), {}};
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad())
    return error{"unreadable_file", "cannot read " + std::string(what) + " " + path, {}};
  return text.str();
}

result<json::value> read_json_file(const std::string& path, std::string_view what) {
  auto text = read_file(path, what);
  if (!text)
    return text.error();
  auto value = runtime::parse_json(*text);
  if (!value)
    return error{value.error().code, path + ": " + value.error().message, {}};
  return value;
}

// The flow in a file: the editor's flow object, or a conformance case file
// whose "flow" member holds it.
json::value flow_of(json::value file) {
  if (file.is_object()) {
    auto& o = file.get_object();
    if (!o.contains("nodes") && o.contains("flow") && o.at("flow").is_object())
      return o.at("flow");
  }
  return file;
}

result<json::value> input_of(const arguments& args) {
  auto inline_input = args.flag("input");
  auto input_file = args.flag("input-file");
  if (inline_input && input_file)
    return error{"usage", "give --input or --input-file, not both", {}};
  if (input_file)
    return read_json_file(*input_file, "input file");
  if (!inline_input)
    return json::value(json::object());
  auto value = runtime::parse_json(*inline_input);
  if (!value)
    return error{value.error().code, "--input: " + value.error().message, {}};
  return value;
}

// An actor system sized for this machine: the scheduler's threads only.
struct actor_runtime {
  caf::actor_system_config config;
  std::unique_ptr<caf::actor_system> system;

  actor_runtime() {
    auto threads = std::max(2u, std::thread::hardware_concurrency());
    config.set("scheduler.max-threads", static_cast<size_t>(threads));
    system = std::make_unique<caf::actor_system>(config);
  }
};

// Removes a temporary data directory when the run is over.
struct temporary_dir {
  std::string path;
  ~temporary_dir() {
    if (!path.empty()) {
      std::error_code ec;
      std::filesystem::remove_all(path, ec);
    }
  }
};

result<std::string> data_dir_of(const arguments& args, temporary_dir& temp) {
  if (auto dir = args.flag("data")) {
    if (auto prepared = prepare_data_dir(*dir); !prepared)
      return prepared.error();
    return *dir;
  }
  auto base = std::filesystem::temp_directory_path() / "baley-run-XXXXXX";
  std::string pattern = base.string();
  if (!mkdtemp(pattern.data()))
    return error{"data_dir_unusable", "cannot create a temporary data directory: "
                                        + std::string(std::strerror(errno)), {}};
  temp.path = pattern;
  return pattern;
}

} // namespace

int run_command(int argc, char** argv) {
  auto known = jq_flags;
  known.insert(known.end(), {"input", "input-file", "data", "durability"});
  auto args = parse_arguments(argc, argv, 2, known);
  if (!args)
    return fail(args.error());
  auto jq = jq_options_of(*args);
  if (!jq)
    return fail(jq.error());
  if (args->positional.size() != 1)
    return fail(error{"usage", "baley run needs exactly one FLOW.json", {}});
  auto mode = parse_durability(args->flag("durability"));
  if (!mode)
    return fail(mode.error());
  auto file = read_json_file(args->positional[0], "flow file");
  if (!file)
    return fail(file.error());
  auto input = input_of(*args);
  if (!input)
    return fail(input.error());
  auto flow_json = flow_of(std::move(file).value());
  runtime::jq_cache check_programs;
  auto compiled = runtime::compile_flow(flow_json, check_programs);
  if (!compiled.flow) {
    auto body = runtime::invalid_flow_body(compiled.problems);
    std::cerr << json::serialize(body) << std::endl;
    return exit_code::invalid;
  }
  // DESIGN.md "Inputs": an input its source's schema refuses starts nothing.
  if (auto valid = runtime::validate_flow_input(*compiled.flow, *input); !valid)
    return fail(valid.error());
  temporary_dir temp;
  auto dir = data_dir_of(*args, temp);
  if (!dir)
    return fail(dir.error());

  actor_runtime actors;
  auto engine = actors::engine::open(*actors.system,
                                     {.data_dir = *dir, .mode = *mode, .jq = std::move(*jq)});
  if (!engine)
    return fail(engine.error());
  auto& eng = **engine;
  auto flow_id = eng.new_id();
  if (auto saved = eng.save_flow(flow_id, 1, flow_json); !saved)
    return fail(saved.error(), exit_code::failed);
  auto flow = eng.load_flow(flow_id, 1);
  if (!flow)
    return fail(flow.error(), exit_code::failed);
  int code;
  {
    caf::scoped_actor self{*actors.system};
    if (auto subscribed = subscribe_all(self, eng.broker()); !subscribed)
      return fail(subscribed.error(), exit_code::failed);
    actors::start_request request;
    request.flow_id = flow_id;
    request.flow_version = 1;
    request.flow = *flow;
    request.input = std::move(input).value();
    request.trigger.kind = runtime::trigger_kind::cli;
    request.observer = caf::actor_cast<actors::execution_observer>(self);
    auto started = eng.start(std::move(request));
    code = watch_executions(self, {{started.execution_id, started.actor}});
  }
  eng.shutdown();
  return code;
}

int resume_command(int argc, char** argv) {
  auto known = jq_flags;
  known.insert(known.end(), {"data", "durability"});
  auto args = parse_arguments(argc, argv, 2, known);
  if (!args)
    return fail(args.error());
  auto jq = jq_options_of(*args);
  if (!jq)
    return fail(jq.error());
  auto dir = args->flag("data");
  if (!dir || !args->positional.empty())
    return fail(error{"usage", "usage: baley resume --data DIR", {}});
  auto mode = parse_durability(args->flag("durability"));
  if (!mode)
    return fail(mode.error());
  if (!std::filesystem::is_directory(*dir))
    return fail(error{"data_dir_unusable", "no data directory at " + *dir, {}});
  auto secrets = storage::secret_box::open(*dir);
  if (!secrets)
    return fail(secrets.error(), exit_code::failed);
  actor_runtime actors;
  auto engine = actors::engine::open(*actors.system,
                                     {.data_dir = *dir, .mode = *mode, .jq = std::move(*jq)});
  if (!engine)
    return fail(engine.error());
  auto& eng = **engine;
  // The server's connections, so that ai-blocks resume here as they would there.
  auto catalog = actors::load_catalog(eng.log());
  if (!catalog)
    return fail(catalog.error(), exit_code::failed);
  if (auto loaded = actors::load_connections(*catalog, *secrets, eng.connections()); !loaded)
    return fail(loaded.error(), exit_code::failed);
  int code;
  {
    caf::scoped_actor self{*actors.system};
    if (auto subscribed = subscribe_all(self, eng.broker()); !subscribed)
      return fail(subscribed.error(), exit_code::failed);
    auto plan = actors::plan_recovery(eng);
    if (!plan)
      return fail(plan.error(), exit_code::failed);
    std::map<std::string, actors::execution_actor> executions;
    bool unrecorded = false;
    for (const auto& failed : plan->failed) {
      std::cerr << actors::describe(failed) << std::endl;
      // Its execution_error is already on its way to `self`.
      if (failed.recorded)
        executions.emplace(failed.execution_id, actors::execution_actor{});
      unrecorded |= !failed.recorded;
    }
    for (auto& r : actors::resume_all(eng, std::move(plan->resumable),
                                      caf::actor_cast<actors::execution_observer>(self)))
      executions.emplace(r.execution_id, r.actor);
    code = watch_executions(self, executions);
    if (unrecorded)
      code = exit_code::failed;
  }
  eng.shutdown();
  return code;
}

} // namespace baley::cli
