// `upload-s3`: upload a checksummed raw-file set to its project's bucket, skipping objects
// already there with the recorded ETag, verifying every object, all-or-nothing.
#pragma once
#include <string>

#include "tasks/task.h"

namespace rawbackup {

struct UploadS3Options {
  std::string id;
  bool dry_run = false;         // HEAD requests only: say what would be uploaded or skipped
  int skip_exit_code = 0;       // exit code when backup_type is not s3 (99 for Airflow's skip)
  unsigned concurrency = 0;     // parallel requests; 0: backup.s3.concurrency
  std::string max_bandwidth{};  // "50MB/s"; "": backup.s3.max_bandwidth, else no cap
};

// Bucket "{bucket_prefix}-{project}", keys "<prefix><relative key>" (see model/placement.h).
// backup_status: failed (exit 1) when the bucket is missing or denied or a file fails (an
// unfinished multipart upload is aborted); done, with s3_upload_path, when every object is
// verified. Exit 4 when S3 reports an ETag the record does not allow.
Result<TaskOutput> run_upload_s3(const Context& ctx, const UploadS3Options& options);
TaskRunner bind_upload_s3(CLI::App& command);

}  // namespace rawbackup
