#include "app/dispatch.h"

#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <iostream>
#include <string_view>

#include "app/manual.h"
#include "app/registry.h"
#include "common/interrupt.h"
#include "common/log.h"
#include "common/system.h"
#include "model/store/open_store.h"
#include "revision.h"
#include "storage/replace_file.h"
#include "storage/s3/client.h"
#include "tasks/batch.h"
#include "tasks/run_metrics.h"

namespace rawbackup {
namespace {

constexpr const char* exit_code_help =
    "Exit codes:\n"
    "  0    success (including nothing to do)\n"
    "  1    task failed, retryable (I/O, network, store busy, interrupted store write)\n"
    "  2    usage or config error (fix the call or the config)\n"
    "  3    data conflict: the record or a destination disagrees with what is on disk\n"
    "  4    verification found missing or differing data\n"
    "  N    --skip-exit-code N: upload-s3 when backup_type is not s3, purge of a set too young to go\n"
    "  130  interrupted (SIGINT/SIGTERM)\n"
    "Several raw files (ids or --all-status/--instrument/--since): each runs, the worst code wins\n"
    "(130, 4, 3, 2, 1, N, 0).\n";

struct GlobalOptions {
  std::string config;
  bool json = false;
  std::string log_level = env_or("RAWBACKUP_LOG_LEVEL", "info");
  std::string log_format = env_or("RAWBACKUP_LOG_FORMAT", "auto");
  double lock_wait_seconds = 10;
  std::string profile;       // AWS shared-config profile, over backup.s3.profile
  std::string metrics_file;  // this run's metrics for node_exporter's textfile collector
};

struct Chosen {
  const TaskEntry* entry = nullptr;
  TaskRunner runner;
};

std::filesystem::path config_path(const GlobalOptions& global) {
  if (!global.config.empty()) return global.config;
  if (std::string env = env_or("RAWBACKUP_CONFIG"); !env.empty()) return env;
  throw UsageError("no config: pass --config FILE or set RAWBACKUP_CONFIG");
}

LogFormat log_format_from(const std::string& name) {
  if (name == "auto") return LogFormat::automatic;
  if (name == "text") return LogFormat::text;
  if (name == "json") return LogFormat::json;
  throw UsageError("--log-format: expected auto, text or json, got '" + name + "'");
}

Status print_result(const TaskOutput& out, bool json) {
  if (out.stream) {
    Status streamed = out.stream(std::cout, json);
    std::cout.flush();
    return streamed;
  }
  if (json) {
    std::cout << out.result.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
  } else if (!out.text.empty()) {
    std::cout << out.text << "\n";
  }
  std::cout.flush();
  return {};
}

int report_error(const char* task, const Error& error, bool json) {
  nlohmann::json failed = error_result(task, "", error);
  spdlog::error("{}", failed["error"].get<std::string>());
  if (json) std::cout << failed.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
  return failed["exit_code"].get<int>();
}

// A usage error found before logging is set up (arguments, log options): one stderr line,
// and with --json anywhere on the command line the failure result on stdout, so a wrapper
// that parses stdout gets JSON for every failure. `task` is null when none was recognised.
int report_usage_error(const std::string& message, const TaskEntry* task, int argc, const char* const* argv) {
  std::cerr << "rawbackup: " << one_line(message) << "\n";
  bool json = std::any_of(argv + 1, argv + argc, [](const char* a) { return std::string_view(a) == "--json"; });
  if (json) {
    nlohmann::json failed = error_result(task ? task->name : "", "", Error{ErrorKind::usage, message});
    if (!task) failed["task"] = nullptr;
    std::cout << failed.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
  }
  return exit_codes::usage;
}

// The task named on the command line, if any (for errors found before parsing finished).
const TaskEntry* task_named(int argc, const char* const* argv) {
  for (int i = 1; i < argc; ++i) {
    for (const TaskEntry& entry : task_table()) {
      if (std::string_view(argv[i]) == entry.name) return &entry;
    }
  }
  return nullptr;
}

// How the app loads config, store and S3 client for the task running as `task`.
Loaders loaders_for(const GlobalOptions& global, const char* task) {
  Loaders loaders;
  loaders.config = [&global] {
    Config config = load_config(config_path(global));
    if (config.s3 && !global.profile.empty()) config.s3->profile = global.profile;
    return config;
  };
  loaders.store = [task](const Config& config, bool read_only) {
    StoreOptions options;
    options.read_only = read_only;
    return open_store(env_or("RAWBACKUP_STORE_URL", config.store_url), Actor{task, host_id(), getpid()}, options);
  };
  loaders.s3 = [](const S3Config& s3) { return s3::connect_s3_described(s3); };
  return loaders;
}

// Loads what the task needs, runs it and prints its result (while the store it may stream
// from is open); returns the exit code. Throws UsageError for config problems.
Result<int> run_task(const Chosen& chosen, const GlobalOptions& global, RunFacts& facts) {
  Loaders loaders = loaders_for(global, chosen.entry->name);
  Context ctx;
  ctx.fs = &local_filesystem();
  ctx.tty = stderr_is_tty();
  ctx.loaders = &loaders;
  ctx.lock_options.wait = std::chrono::milliseconds(static_cast<int64_t>(global.lock_wait_seconds * 1000));
  std::optional<Config> config;
  std::unique_ptr<RecordStore> store;
  if (chosen.entry->needs & (needs::config | needs::store)) {
    config = loaders.config();
    ctx.config = &*config;
  }
  if (chosen.entry->needs & needs::store) {
    TRY_ASSIGN(opened, loaders.store(*config, (chosen.entry->needs & needs::read_only) != 0));
    store = std::move(opened);
    ctx.store = store.get();
    ctx.lock_options.stale_after = std::chrono::seconds(config->lease_seconds);
    ctx.lock_options.heartbeat = std::min(ctx.lock_options.heartbeat, ctx.lock_options.stale_after / 3);
  }
  std::unique_ptr<ObjectStore> objects;
  if ((chosen.entry->needs & needs::s3) && config->s3) {
    ctx.objects = [&objects, &config, &loaders]() -> ObjectStore& {
      if (!objects) objects = loaders.s3(*config->s3).store;  // throws UsageError without credentials
      return *objects;
    };
  }
  Result<TaskOutput> out = chosen.runner(ctx);
  if (!out) return std::unexpected(out.error());
  facts.outcome = out->outcome;
  facts.bytes = out->bytes_moved;
  TRY(print_result(*out, global.json));
  return out->exit_code;
}

// Runs the task and reports a failure (one place maps errors to exit codes); with
// --metrics-file, then writes the run's metrics whatever the outcome.
int run_reported(const Chosen& chosen, const GlobalOptions& global) {
  auto started = std::chrono::steady_clock::now();
  RunFacts facts{chosen.entry->name};
  facts.exit_code = [&] {
    try {
      install_interrupt_handlers();
      set_log_context(chosen.entry->name, "");
      Result<int> code = run_task(chosen, global, facts);
      if (!code) return report_error(chosen.entry->name, code.error(), global.json);
      return *code;
    } catch (const UsageError& e) {
      return report_error(chosen.entry->name, Error{ErrorKind::usage, e.what()}, global.json);
    } catch (const std::exception& e) {
      return report_error(chosen.entry->name, Error{ErrorKind::failed, std::string("internal error: ") + e.what()},
                          global.json);
    }
  }();
  if (facts.exit_code != 0 && facts.outcome == "ok") facts.outcome = "failed";
  if (!global.metrics_file.empty()) {
    facts.duration_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    facts.ended = Clock::now();
    if (Status written = replace_file_atomically(global.metrics_file, run_metrics(facts)); !written) {
      spdlog::warn("--metrics-file: {}", written.error().message);  // the run's own result stands
    }
  }
  return facts.exit_code;
}

constexpr const char* summary = "verified backups of mass-spectrometry raw files";

// "0.1.0 (git 1a2b3c4)": the release and the commit it was built from.
std::string version() { return std::string(RAWBACKUP_VERSION) + " (git " + RAWBACKUP_REVISION + ")"; }

// --man and --completion print what the build installs, generated from `app` itself.
void add_generated_docs(CLI::App& app) {
  app.add_flag_callback(
         "--man",
         [&app] {
           std::cout << man_page(app, {version(), summary, exit_code_help});
           throw CLI::Success();
         },
         "Print the man page (roff) and exit")
      ->trigger_on_parse();
  app.add_option_function<std::string>(
         "--completion",
         [&app](const std::string&) {
           std::cout << bash_completion(app);
           throw CLI::Success();
         },
         "Print the shell completion script and exit (bash)")
      ->check(CLI::IsMember({"bash"}))
      ->trigger_on_parse();
}

void add_tasks(CLI::App& app, std::vector<Chosen>& chosen) {
  chosen.reserve(task_table().size());
  for (const TaskEntry& entry : task_table()) {
    CLI::App* command = app.add_subcommand(entry.name, entry.summary);
    command->footer(std::string("Example:\n  ") + entry.example + "\n\n" + exit_code_help);
    chosen.push_back({&entry, entry.bind(*command)});
  }
}

}  // namespace

int run_main(int argc, const char* const* argv) {
  CLI::App app{std::string("rawbackup: ") + summary, "rawbackup"};
  app.set_version_flag("--version", "rawbackup " + version());
  app.require_subcommand(1);
  app.footer(exit_code_help);
  GlobalOptions global;
  app.add_option("--config", global.config, "Config file (default: $RAWBACKUP_CONFIG)");
  app.add_flag("--json", global.json, "Print the result as one JSON object on stdout");
  app.add_option("--log-level", global.log_level,
                 "trace, debug, info, warn, error, off (default: $RAWBACKUP_LOG_LEVEL, else info)")
      ->capture_default_str();
  app.add_option("--log-format", global.log_format,
                 "auto (text on a TTY, else JSON lines), text or json (default: $RAWBACKUP_LOG_FORMAT)")
      ->capture_default_str();
  app.add_option("--lock-wait", global.lock_wait_seconds, "Seconds to wait while another run holds the same raw file")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  app.add_option("--profile", global.profile,
                 "AWS profile for S3 credentials and settings (default: backup.s3.profile, $AWS_PROFILE, default)");
  std::vector<Chosen> tasks;
  app.add_option("--metrics-file", global.metrics_file,
                 "Also write this run's metrics (duration, bytes, outcome, exit code) to PATH atomically, "
                 "for node_exporter's textfile collector (one .prom file per task)");
  add_tasks(app, tasks);
  add_generated_docs(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) return app.exit(e);  // --help, --version
    // One line, like every other error (CLI11's own text adds a second).
    return report_usage_error(std::string(e.what()) + " (see rawbackup --help)", task_named(argc, argv), argc, argv);
  }
  const Chosen* chosen = nullptr;
  for (const Chosen& c : tasks) {
    if (app.got_subcommand(c.entry->name)) chosen = &c;
  }
  try {
    setup_logging(global.log_level, log_format_from(global.log_format));
  } catch (const UsageError& e) {  // no logger to report through yet
    return report_usage_error(e.what(), chosen->entry, argc, argv);
  }
  return run_reported(*chosen, global);
}

}  // namespace rawbackup
