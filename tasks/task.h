// What every task gets (Context) and gives back (TaskOutput), and what a task entry is.
// A task file has: an options struct, run_x(const Context&, const XOptions&), and a
// bind_x(CLI::App&) that declares its options and returns the runner (listed in app/registry.cpp).
#pragma once
#include <functional>
#include <iosfwd>
#include <nlohmann/json.hpp>
#include <span>
#include <string>

#include "common/result.h"
#include "config/config.h"
#include "model/record_store.h"
#include "storage/filesystem.h"
#include "storage/object_store.h"

namespace CLI {
class App;
}

namespace rawbackup {

// How the app loads a task's config, store and S3 client. A task that checks the set-up
// itself (doctor, which needs nothing) calls these and reports each failure as a finding.
struct Loaders {
  std::function<Config()> config;  // throws UsageError ("FILE: key: problem")
  std::function<Result<std::unique_ptr<RecordStore>>(const Config&, bool read_only)> store;
  std::function<ConnectedObjectStore(const S3Config&)> s3;  // throws UsageError without credentials
};

struct Context {
  const Config* config = nullptr;  // set when the task needs::config
  RecordStore* store = nullptr;    // set when the task needs::store (read-only with needs::read_only)
  const FileSystem* fs = nullptr;  // always set
  // The S3 store, connected on first call (throws UsageError without credentials, so a task
  // that ends up not using S3 needs none). Empty when the task does not need::s3 or the
  // config has no s3 section.
  std::function<ObjectStore&()> objects;
  bool tty = false;                  // stderr is a terminal: draw progress bars
  LockOptions lock_options;          // how long to wait for another runner on the same id
  const Loaders* loaders = nullptr;  // set by the app (tests set what they use)
};

// The record of `id`, which must have been checksummed (kind usage otherwise).
Result<RawFile> checksummed_record(const Context& ctx, const std::string& id);

// A record read under its per-record lock; the lock is held while this lives.
struct HeldRecord {
  RawFile record;
  std::unique_ptr<RecordLock> lock;  // null when read without the lock (dry runs)

  // `ctx` for this run: once the lock is lost, its object store sends no more changes
  // (FencedObjectStore); the record store fences its writes itself. The copy must not outlive
  // this HeldRecord.
  Context fenced(const Context& ctx) const;
};
// What a run holding `lock` calls right before each step others would see (a rename into
// the backup, an S3 PUT, Complete or DELETE, an unlink): RecordLock::check(); always ok
// without a lock (dry runs).
std::function<Status()> fence_of(RecordLock* lock);
// checksummed_record(), then with `lock` the record lock (waiting as ctx.lock_options say)
// and the record read again as it is now that no one else can change it.
Result<HeldRecord> hold_checksummed_record(const Context& ctx, const std::string& id, bool lock);

// Records `change` where the task's outcome does not hang on it (a failure being reported
// anyway, an upload ID kept for a resume, an event): a store that cannot take it is a
// warning naming `what`, not another error of the task.
void record_best_effort(const Context& ctx, const std::string& id, const RecordChange& change, const char* what);

// Takes the per-raw-file lock (one runner per id at a time) for the running task.
Result<std::unique_ptr<RecordLock>> lock_record(const Context& ctx, const std::string& id);

struct TaskOutput {
  nlohmann::json result;  // printed as one JSON object with --json
  std::string text;       // printed for humans otherwise
  int exit_code = 0;      // success may still ask for another code (--skip-exit-code)
  // Typed, for the batch's counts and the run's closing log line (result["outcome"] is the
  // same word, for readers of the JSON).
  std::string outcome = "ok";  // "done", "skipped", "unchanged", "dry-run", "differs", …
  uint64_t bytes_moved = 0;    // bytes this run hashed, copied, uploaded, restored or read to verify
  // Output too large to hold (a status table of any size): when set, it writes the result
  // (one JSON object with `json`, else text) straight to stdout instead of result and text.
  std::function<Status(std::ostream& out, bool json)> stream{};
};

// What one run of a task reports, typed (restic's ui/…/json.go + text.go): each task has its
// result types, and output_of() is the one place that turns one into what is printed.
template <class R>
concept TaskResult = requires(const R& r) {
  { r.outcome() } -> std::convertible_to<std::string>;
  { r.bytes_moved() } -> std::convertible_to<uint64_t>;  // 0 unless the run did the work
  { r.to_json() } -> std::convertible_to<nlohmann::json>;
  { r.to_text() } -> std::convertible_to<std::string>;
};

template <TaskResult R>
TaskOutput output_of(const R& r, int exit_code = 0) {
  return TaskOutput{r.to_json(), r.to_text(), exit_code, r.outcome(), r.bytes_moved()};
}

using TaskRunner = std::function<Result<TaskOutput>(const Context&)>;

// Declares `--concurrency N` (1–64) on `command` and returns `runner` seeing the config's
// backup.s3.concurrency as N when given: the GETs at once of restore and verify --deep.
TaskRunner with_concurrency_option(CLI::App& command, TaskRunner runner);

// Files read at once by checksum, copy-local, verify's local re-reads and restore: the config's
// transfer.workers, else one per core this process may use (a SLURM job's or container's CPUs).
unsigned file_workers(const Config& config);

namespace needs {
inline constexpr unsigned config = 1U << 0;
inline constexpr unsigned store = 1U << 1;  // implies config (the store is named in it)
inline constexpr unsigned s3 = 1U << 2;
inline constexpr unsigned read_only = 1U << 3;  // the store is opened read-only (status)
}  // namespace needs

struct TaskEntry {
  const char* name;
  const char* summary;
  const char* example;  // shown in --help
  unsigned needs;
  TaskRunner (*bind)(CLI::App& command);  // declares options, returns the bound runner
};

}  // namespace rawbackup
