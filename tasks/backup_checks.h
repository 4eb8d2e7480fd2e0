// The backups of a record re-checked against it in this run: what `verify` reports and what
// `purge` requires before it deletes the instrument copy.
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "tasks/task.h"
#include "transfer/verify_checks.h"

namespace rawbackup {

// Which backups to check.
struct BackupPlan {
  bool local = false;  // size + MD5 re-read of every file under backup_base_path
  bool s3 = false;     // HEAD (or listing) ETags; with `deep` ranged GETs hashed
};

struct BackupChecks {
  std::vector<std::string> checked;  // "local", "s3", "s3 (deep)"
  std::vector<FileFinding> findings;
  uint64_t bytes_read = 0;  // local re-reads and re-hashes, and object bytes fetched (--deep)

  std::vector<const FileFinding*> problems() const;
  // The first `at_most` problems on one line ("local x.raw: MD5 …; s3 …; …").
  std::string describe_problems(size_t at_most) const;
};

// Checks each planned backup file by file into `into`; a planned backup the record does not
// claim is a `missing` finding. Returns the error when a check could not be made (network,
// permissions, no S3 config: kind usage), keeping the findings made before.
Status check_backups(const Context& ctx, const RawFile& record, BackupPlan plan, bool deep, BackupChecks& into);

// `record`'s files with each S3 object that a re-hash proved to hold the file's bytes (another
// tool's upload) noted as its object; nullopt when nothing new is to be noted.
std::optional<FileInfo> files_noting_objects(const RawFile& record, const BackupChecks& checks);

}  // namespace rawbackup
