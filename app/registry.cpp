#include <array>

#include "app/registry.h"

#include "tasks/checksum.h"
#include "tasks/copy_local.h"
#include "tasks/doctor.h"
#include "tasks/purge.h"
#include "tasks/restore.h"
#include "tasks/scan.h"
#include "tasks/status.h"
#include "tasks/store_copy.h"
#include "tasks/upload_s3.h"
#include "tasks/verify.h"
#include "web/serve.h"

namespace rawbackup {
namespace {

constexpr std::array<TaskEntry, 11> tasks{{
    {"scan", "Find new acquisitions: each set not recorded yet, ready once it stopped changing",
     "rawbackup --config envs/local.yaml scan\n"
     "  rawbackup --config envs/local.yaml --json scan --instrument astral1 --limit 16",
     needs::config | needs::store, &bind_scan},
    {"checksum", "Inventory a raw-file set: size, MD5 and S3 ETag of every file",
     "rawbackup --config envs/local.yaml checksum --instrument astral1 "
     "20261122_astral1_PRID001_sample.raw",
     needs::config | needs::store, &bind_checksum},
    {"copy-local", "Copy a checksummed set to the local backup, verified; never overwrites",
     "rawbackup --config envs/local.yaml copy-local 20261122_astral1_PRID001_sample.raw\n"
     "  rawbackup --config envs/local.yaml copy-local --all-status error --since yesterday",
     needs::config | needs::store, &bind_copy_local},
    {"upload-s3", "Upload a checksummed set to its project's S3 bucket, verified; all-or-nothing",
     "rawbackup --config envs/s3.yaml upload-s3 --skip-exit-code 99 "
     "20261122_astral1_PRID001_sample.raw\n"
     "  rawbackup --config envs/s3.yaml upload-s3 --all-status failed --instrument astral1 --since monday",
     needs::config | needs::store | needs::s3, &bind_upload_s3},
    {"verify", "Re-check the local copy and S3 objects against the record (read-only)",
     "rawbackup --config envs/s3.yaml verify --deep 20261122_astral1_PRID001_sample.raw",
     needs::config | needs::store | needs::s3, &bind_verify},
    {"restore", "Copy a set back from S3 (or the local backup) into a folder, verified",
     "rawbackup --config envs/s3.yaml restore --to /data/restore 20261122_astral1_PRID001_sample.raw",
     needs::config | needs::store | needs::s3, &bind_restore},
    {"purge", "Delete the instrument's copy of a set once its backups verify now (and it is old enough)",
     "rawbackup --config envs/s3.yaml purge --dry-run 20261122_astral1_PRID001_sample.raw\n"
     "  rawbackup --config envs/s3.yaml purge --all-status done --instrument astral1",
     needs::config | needs::store | needs::s3, &bind_purge},
    {"status", "Show records: a table, a --summary, or whole records with --history",
     "rawbackup --config envs/local.yaml status --status failed\n"
     "  rawbackup --config envs/local.yaml --json status --summary\n"
     "  rawbackup --config envs/local.yaml status --history 20261122_astral1_PRID001_sample.raw",
     needs::config | needs::store | needs::read_only, &bind_status},
    {"serve", "Serve a read-only web page of the backups' state: overview, records, failures, metrics",
     "rawbackup --config envs/local.yaml serve\n"
     "  RAWBACKUP_SERVE_TOKEN=… rawbackup --config /etc/rawbackup/config.yaml serve --listen 0.0.0.0:8080",
     needs::config | needs::store | needs::read_only, &bind_serve},
    {"doctor", "Check this host's set-up: config, store, folders, S3 credentials, endpoint, clock, buckets",
     "rawbackup --config envs/s3.yaml doctor\n"
     "  rawbackup --config envs/s3.yaml --json doctor --write-probe",
     0, &bind_doctor},
    {"store", "Manage record stores: `store copy FROM TO` moves every record and event into another store",
     "rawbackup store copy sqlite:///var/lib/rawbackup/rawbackup.sqlite "
     "postgresql://rawbackup@db.example.org/rawbackup",
     0, &bind_store},
}};

}  // namespace

std::span<const TaskEntry> task_table() { return tasks; }

}  // namespace rawbackup
