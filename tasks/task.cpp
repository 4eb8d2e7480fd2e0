#include "tasks/task.h"

#include <spdlog/spdlog.h>
#include <CLI/CLI.hpp>

#include <filesystem>

#include "common/system.h"
#include "model/layout.h"
#include "storage/fenced_object_store.h"

namespace rawbackup {

Result<RawFile> checksummed_record(const Context& ctx, const std::string& id) {
  TRY_ASSIGN(record, ctx.store->get(id));
  if (!record && id.find('/') != std::string::npos) {
    std::string name = std::filesystem::path(id).filename().string();
    return fail(ErrorKind::usage,
                "'" + id + "' looks like a path: tasks take the raw file's id, its name (" + name + ")");
  }
  if (!record || record->file_info.empty()) {
    return fail(ErrorKind::usage, "no checksum recorded for " + id + "; run checksum first");
  }
  // Keys become paths beneath folders: one from an edited store must not reach outside them.
  for (const auto& [key, entry] : record->file_info) {
    if (std::string problem = set_key_problem(record->vendor, record->id, key); !problem.empty()) {
      return fail(ErrorKind::usage, "the record of " + id + " is refused: its file key '" + one_line(key) + "' " +
                                        problem + " (was the store edited by hand?)");
    }
  }
  return *record;
}

Result<HeldRecord> hold_checksummed_record(const Context& ctx, const std::string& id, bool lock) {
  auto record = checksummed_record(ctx, id);  // fail early, before waiting for a lock
  if (!record) return std::unexpected(record.error());
  if (!lock) return HeldRecord{std::move(*record), nullptr};
  TRY_ASSIGN(taken, lock_record(ctx, id));
  record = checksummed_record(ctx, id);
  if (!record) return std::unexpected(record.error());
  return HeldRecord{std::move(*record), std::move(taken)};
}

std::function<Status()> fence_of(RecordLock* lock) {
  return [lock]() -> Status { return lock ? lock->check() : Status{}; };
}

Context HeldRecord::fenced(const Context& ctx) const {
  Context run = ctx;
  if (!lock || !ctx.objects) return run;
  auto store = std::make_shared<FencedObjectStore>(ctx.objects, fence_of(lock.get()));
  run.objects = [store]() -> ObjectStore& { return *store; };
  return run;
}

void record_best_effort(const Context& ctx, const std::string& id, const RecordChange& change, const char* what) {
  if (auto updated = ctx.store->update(id, change); !updated) {
    spdlog::warn("could not record {} for {}: {}", what, id, updated.error().message);
  }
}

Result<std::unique_ptr<RecordLock>> lock_record(const Context& ctx, const std::string& id) {
  return ctx.store->lock(id, ctx.lock_options);
}

unsigned file_workers(const Config& config) {
  static const unsigned cores = usable_cores();
  return config.transfer_workers > 0 ? config.transfer_workers : cores;
}

TaskRunner with_concurrency_option(CLI::App& command, TaskRunner runner) {
  auto concurrency = std::make_shared<unsigned>(0);
  command.add_option("--concurrency", *concurrency, "S3 requests at once; default backup.s3.concurrency (4)")
      ->check(CLI::Range(1, 64));
  return [concurrency, runner](const Context& ctx) -> Result<TaskOutput> {
    if (*concurrency == 0 || !ctx.config || !ctx.config->s3) return runner(ctx);
    Config config = *ctx.config;
    config.s3->concurrency = *concurrency;
    Context changed = ctx;
    changed.config = &config;
    return runner(changed);
  };
}

}  // namespace rawbackup
