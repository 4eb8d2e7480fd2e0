// `doctor`: checks a host's set-up in one run, before a DAG finds a problem at night: the
// config, the store (reachable, schema, writable), every instrument folder, the backup folder
// (writable, free space), and for backup_type s3 the credentials (where from, never a value),
// the endpoint, the clock against the server's and each project bucket the store has seen
// (and those named with --project). One line per check (ok / warn / fail, with what to do;
// skip for a check not made, with why); changes no record. Exit 0 when nothing fails
// (warnings allowed), 2 when a failure is a config problem, else 1.
#pragma once
#include <string>
#include <vector>

#include "tasks/task.h"

namespace rawbackup {

struct DoctorOptions {
  // Also commit (and remove) a probe file in the backup folder, and write (and delete) a
  // zero-byte object in each bucket.
  bool write_probe = false;
  // Projects whose buckets are named and checked besides those the store has seen (a new
  // project's bucket, before its first upload fails).
  std::vector<std::string> projects{};
};

Result<TaskOutput> run_doctor(const Context& ctx, const DoctorOptions& options);
TaskRunner bind_doctor(CLI::App& command);

}  // namespace rawbackup
