#include "tasks/verify.h"

#include <CLI/CLI.hpp>
#include <algorithm>

#include "common/log.h"
#include "common/text.h"
#include "model/placement.h"
#include "tasks/backup_checks.h"
#include "tasks/batch.h"

namespace rawbackup {
namespace {

struct IdResult {
  std::string id;
  BackupChecks checks;
  std::optional<Error> error;  // the check could not be made
  size_t files = 0;            // in the record
  BackupStatus backup_status = BackupStatus::pending;  // the record's, before this run
  bool unrecorded = false;     // the backup to check was never recorded (not a backup gone bad)
  bool every_backup = false;   // every backup the record has was checked

  std::vector<const FileFinding*> problems() const { return checks.problems(); }
  std::string outcome() const { return error ? "error" : problems().empty() ? "ok" : "differs"; }
  uint64_t bytes_moved() const { return checks.bytes_read; }  // read: the metrics' bytes
  nlohmann::json to_json() const;
  std::string to_text() const;
};

bool claims_local(const RawFile& r) { return has_local_backup(r); }
bool claims_s3(const Config& c, const RawFile& r) { return c.backup_type == BackupType::s3 && has_s3_backup(r); }

BackupPlan plan_for(const Context& ctx, const VerifyOptions& options, const RawFile& record) {
  return {options.local || (!options.s3 && claims_local(record)),
          options.s3 || (!options.local && claims_s3(*ctx.config, record))};
}

struct VerifyDryRun {
  std::string id;
  BackupPlan plan;
  bool deep = false;
  size_t files = 0;
  uint64_t bytes = 0;
  std::vector<std::string> steps;  // what would be read, from where

  std::string outcome() const { return "dry-run"; }
  uint64_t bytes_moved() const { return 0; }
  nlohmann::json to_json() const {
    return {
        {"id", id},      {"task", "verify"},        {"outcome", outcome()}, {"dry_run", true}, {"local", plan.local},
        {"s3", plan.s3}, {"deep", plan.s3 && deep}, {"files", files},       {"bytes", bytes}};
  }
  std::string to_text() const {
    return "verify " + id + " (dry run): would " + join(steps, " and ") + ", " + std::to_string(files) + " file(s)";
  }
};

// What verify would read for `id`, without reading it or writing the store.
Result<TaskOutput> dry_run_one(const Context& ctx, const VerifyOptions& options, const std::string& id) {
  TRY_ASSIGN(record, checksummed_record(ctx, id));
  BackupPlan plan = plan_for(ctx, options, record);
  auto where = [](const std::optional<std::string>& path) { return path ? *path : std::string("(none recorded)"); };
  std::vector<std::string> steps;
  if (plan.local) {
    std::string from = record.backup_base_path ? backup_base(*ctx.config, record).string() : where({});
    steps.push_back("re-read " + format_bytes(record.size) + " from " + from);
  }
  if (plan.s3) {
    steps.push_back((options.deep ? "download " + format_bytes(record.size) + " from " : "check the ETags of ") +
                    where(record.s3_upload_path));
  }
  if (steps.empty()) steps.push_back("nothing: no backup recorded (fails as missing)");
  return output_of(VerifyDryRun{id, plan, options.deep, record.file_info.size(), record.size, steps});
}

IdResult verify_one(const Context& ctx, const VerifyOptions& options, const std::string& id) {
  set_log_context("verify", id);
  IdResult result{id, {}, {}, 0};
  auto record = checksummed_record(ctx, id);
  if (!record) {
    result.error = record.error();
    return result;
  }
  result.files = record->file_info.size();
  result.backup_status = record->backup_status;
  BackupPlan plan = plan_for(ctx, options, *record);
  result.every_backup = (plan.local || !claims_local(*record)) && (plan.s3 || !claims_s3(*ctx.config, *record));
  bool s3_is_the_backup = ctx.config->backup_type == BackupType::s3 && !options.local && !options.s3;
  if (plan.local && record->backup_purged_at) result.unrecorded = true;  // asked for; gone by retention
  if (!plan.local && !plan.s3) {
    result.unrecorded = true;
    result.checks.findings.push_back({"", BackupPlace::any, FindingState::missing,
                                      "no backup recorded: copy-local and upload-s3 have not finished"});
  } else if (s3_is_the_backup && !plan.s3) {
    // backup_type s3: a local copy alone is not the set's backup
    result.unrecorded = true;
    result.checks.findings.push_back({"", BackupPlace::s3, FindingState::missing,
                                      std::string("no S3 backup recorded (backup_status ") +
                                          to_string(record->backup_status) + "): run upload-s3"});
  }
  if (Status checked = check_backups(ctx, *record, plan, options.deep, result.checks); !checked) {
    result.error = checked.error();
  }
  return result;
}

// Objects another tool uploaded, proven by a re-hash, are noted in the record (under its lock,
// on the record as it is now), so the next shallow verify accepts their ETag without reading.
void note_foreign_objects(const Context& ctx, const IdResult& r) {
  bool any = std::any_of(r.checks.findings.begin(), r.checks.findings.end(),
                         [](const FileFinding& f) { return !f.object_etag.empty(); });
  if (!any || r.error) return;
  auto held = hold_checksummed_record(ctx, r.id, true);
  if (!held) {
    spdlog::warn("could not note the objects uploaded by another tool: {}", held.error().message);
    return;
  }
  auto files = files_noting_objects(held->record, r.checks);
  if (!files) return;
  RecordChange change;
  change.file_info = *files;
  change.message = "noted S3 object(s) uploaded by another tool with other parts (same bytes, re-hashed)";
  record_best_effort(ctx, r.id, change, "the objects uploaded by another tool");
}

void record_outcome(const Context& ctx, const IdResult& r) {
  if (r.error && r.error->kind == ErrorKind::usage) return;  // no record, or nothing to say about it
  RecordChange change;
  if (r.error) {
    change.message = "verify could not check: " + r.error->message;
  } else if (r.problems().empty()) {
    change.last_verified_at = now_utc();
    change.message = "verified ok: " + join(r.checks.checked, ", ") + ", " + std::to_string(r.files) + " file(s)";
    // Every backup good: an earlier finding is resolved (a check of one place clears nothing).
    bool settled = r.backup_status == BackupStatus::done || r.backup_status == BackupStatus::attention;
    if (r.every_backup && settled) {
      change.backup_status = BackupStatus::done;
      change.error = std::optional<std::string>{};
    }
  } else {
    change.message = "verify failed: " + r.checks.describe_problems(3);
    // A backup the record has, found missing or different, needs a person. A backup never
    // made is the unfinished task's state (pending, failed): its own error stays.
    if (!r.unrecorded) {
      change.backup_status = BackupStatus::attention;
      change.error = change.message;
    }
  }
  if (r.error || !r.problems().empty()) spdlog::error("{}", change.message);
  record_best_effort(ctx, r.id, change, "the outcome");
}

nlohmann::json IdResult::to_json() const {
  nlohmann::json listed = nlohmann::json::array();
  for (const FileFinding& f : checks.findings) {
    listed.push_back(
        {{"path", f.path}, {"backup", to_string(f.backup)}, {"state", to_string(f.state)}, {"detail", f.detail}});
  }
  nlohmann::json j{{"id", id}, {"outcome", outcome()}, {"checked", checks.checked}, {"files", listed}};
  if (error) j["error"] = error->message;
  return j;
}

std::string IdResult::to_text() const {
  std::string head = "verify " + id + ": ";
  if (error) return head + "could not check: " + error->message;
  auto problems_found = problems();
  std::string text = problems_found.empty()
                         ? head + "ok (" + join(checks.checked, ", ") + "; " + std::to_string(files) + " file(s))"
                         : head + std::to_string(problems_found.size()) + " problem(s)";
  for (const FileFinding& f : checks.findings) {
    if (f.ok() && f.detail.empty()) continue;  // listed: problems, and what was ok only by a re-hash
    text += "\n  " + std::string(to_string(f.backup)) + "  " + to_string(f.state) + "  " +
            (f.path.empty() ? "" : f.path + ": ") + f.detail;
  }
  return text;
}

// One id checked and its outcome recorded, as one run of a batch: exit code 4 when a file is
// missing or differs, the error's code when the check could not be made (outcome "error");
// an interruption is returned as the error, which stops the batch.
Result<TaskOutput> verify_and_record(const Context& ctx, const VerifyOptions& options, const std::string& id) {
  IdResult r = verify_one(ctx, options, id);
  note_foreign_objects(ctx, r);
  record_outcome(ctx, r);
  if (r.error && r.error->kind == ErrorKind::interrupted) return std::unexpected(*r.error);
  int code = r.error ? exit_code_for(r.error->kind) : r.problems().empty() ? exit_codes::ok : exit_codes::mismatch;
  return output_of(r, code);
}

// Every id of `selection`, always with the batch result (verify's result is that for one id too).
Result<TaskOutput> verify_selection(const Context& ctx, const VerifyOptions& options, const Selection& selection) {
  auto run_one = [&](const std::string& id) {
    return options.dry_run ? dry_run_one(ctx, options, id) : verify_and_record(ctx, options, id);
  };
  return run_batch(ctx, "verify", selection, run_one, true);
}

}  // namespace

Result<TaskOutput> run_verify(const Context& ctx, const VerifyOptions& options) {
  Selection named;
  named.ids = options.ids;
  return verify_selection(ctx, options, named);
}

TaskRunner bind_verify(CLI::App& command) {
  auto options = std::make_shared<VerifyOptions>();
  command.add_flag("--local", options->local, "Check the local backup (required to exist)");
  command.add_flag("--s3", options->s3, "Check the S3 backup (required to exist)");
  command.add_flag("--deep", options->deep, "S3: download and hash every object (ranged GETs, nothing written)");
  command.add_flag("--dry-run", options->dry_run, "Show what would be checked; read no data, record nothing");
  auto selection = std::make_shared<Selection>();
  add_selection_options(command, *selection, "Raw file ids");
  return with_concurrency_option(
      command, [options, selection](const Context& ctx) { return verify_selection(ctx, *options, *selection); });
}

}  // namespace rawbackup
