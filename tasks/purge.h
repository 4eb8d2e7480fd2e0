// `purge`: delete the instrument's copy of a raw-file set, only when its backups are proven
// in this run. The rules are the feature; each refusal deletes nothing and says why.
#pragma once
#include <optional>
#include <string>

#include "tasks/task.h"

namespace rawbackup {

struct PurgeOptions {
  std::string id;
  std::string target = "instrument";   // or "backup": the local backup folder (run_purge_backup)
  std::optional<double> min_age_days;  // none: purge.min_age_days (14), backup: purge.backup_min_age_days (90)
  std::optional<double> aside_min_age_days;  // backup: none: purge.bkp_min_age_days (30)
  std::string require;                 // "local", "s3" or "both"; "": what backup_type says (s3: both)
  bool deep = false;                   // also re-read the instrument copy's MD5; S3: ranged GETs
  bool dry_run = false;                // make every check, list what would go; delete and record nothing
  int skip_exit_code = 0;              // exit code of a set kept because it is too young
  bool verbose = false;                // a dry run lists every file, not only a line per set
};

// The rules, in this order (a run stops at the first that fails; a dry run makes them all):
// 1. backup_status is done (else refused, exit 4);
// 2. created_at is at least the minimum age old (else kept, exit skip_exit_code);
// 3. the instrument copy is what the record lists: size and mtime of each file there, nothing
//    the record does not list among the set's entries, no symlink (else refused, exit 3);
// 4. each required backup passes a verify now: local size + MD5 re-read, S3 ETags (--deep:
//    ranged GETs) (else refused, exit 4, recorded as verify does);
// 5. with --deep, the instrument copy's MD5 re-read (else refused, exit 3).
// Then each file is deleted (re-checked on its open folder just before), the emptied folders
// of a Bruker .d after; purged_at and last_verified_at are recorded. Files already gone (an
// interrupted purge) are left as they are; a re-run finishes a set. Holds the record lock.
// A record purged before with nothing left: "unchanged", exit 0.
// Once the local backup was purged (--target backup), S3 is the set's only backup: the
// default requirement drops the local one and the S3 backup is checked deep.
Result<TaskOutput> run_purge(const Context& ctx, const PurgeOptions& options);

// --target backup: delete the set's local backup once S3 holds it, under `backup_type: s3`.
// The rules, in this order (a run stops at the first that fails; a dry run makes them all):
// 1. a local backup is recorded (else "unchanged": nothing to delete, exit 0);
// 2. the S3 backup is done (backup_status done, s3_upload_path) (else refused, exit 4);
// 3. created_at is at least the minimum age old (else kept, exit skip_exit_code);
// 4. the backup folder holds the set as recorded: each file's size, nothing the record does
//    not list but .N.bkp copies, no symlink (else refused, exit 3);
// 5. the S3 backup passes a deep verify now: every object read back and hashed against the
//    record's MD5s (else refused, exit 4, recorded as verify does).
// .N.bkp copies past their own minimum age (by their ctime: when copy-local moved them aside)
// are deleted unless a rule refused. Then backup_purged_at and last_verified_at are recorded
// before the first unlink (the folder is no longer the set's backup from there on: verify
// stops claiming it, copy-local skips, restore reads S3), each file is deleted as found, the
// emptied folders after. An interrupted run is finished by the next, which needs no proof
// again. Holds the record lock.
Result<TaskOutput> run_purge_backup(const Context& ctx, const PurgeOptions& options);
TaskRunner bind_purge(CLI::App& command);

}  // namespace rawbackup
