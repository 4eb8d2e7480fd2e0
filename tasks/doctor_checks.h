// The checks of `doctor`, each a finding: what was looked at, what was found, what to do.
// Read-only: nothing here writes a record; only --write-probe writes (a zero-byte object under
// doctor_probe_prefix in each bucket, a small file in the backup folder; both deleted at once).
#pragma once
#include <string>
#include <vector>

#include "config/config.h"
#include "model/record_store.h"
#include "storage/filesystem.h"
#include "storage/object_store.h"

namespace rawbackup {

// skip: a check not made, with why (doctor lists what it did not check, never omits it).
enum class Verdict { ok, warn, fail, skip };

struct Finding {
  std::string check;  // "config", "store", "instrument astral1", "bucket rb-prid1", …
  Verdict verdict = Verdict::ok;
  std::string detail;                  // what was found
  std::string fix{};                   // what to do about it ("" when nothing)
  ErrorKind kind = ErrorKind::failed;  // of a failure: usage is a config problem (exit 2)
};

// Where the bucket write probe puts its object (never a raw file's key: ids have no leading dot).
inline constexpr const char* doctor_probe_prefix = ".rawbackup-doctor/";
// A backup folder with less free space than this is a warning: one large raw file.
inline constexpr uint64_t low_space_bytes = uint64_t{100} << 30;
// Clock offsets against the S3 server: above `clock_warn_s` a warning (fix the time service),
// above `clock_fail_s` a failure (S3 refuses signatures more than 15 minutes off).
inline constexpr int64_t clock_warn_s = 30;
inline constexpr int64_t clock_fail_s = 15 * 60;

// Each instrument folder: exists, is a folder, can be listed, its file system and mount
// options; a warning when a network share's attribute cache is not well below
// checksum.settle_seconds.
std::vector<Finding> check_instruments(const FileSystem& fs, const Config& config);
// The backup folder: exists, is a folder, writable (without writing), its free space, its file
// system and mount options; with `write_probe` a probe file committed as copy-local commits
// and removed.
Finding check_backup_folder(const FileSystem& fs, const std::filesystem::path& folder, bool write_probe);
// The store: its schema version and whether writes would be taken.
Finding check_store(RecordStore& store);

// The S3 side for a connected store: credentials accepted, endpoint reachable, clock offset,
// then each bucket (HEAD; with `write_probe` a zero-byte object put and deleted).
struct BucketToCheck {
  std::string bucket;
  std::string asked_for{};  // the project named with --project ("" for a project the store has seen)
  std::string writes_as{};  // how objects will be written (ObjectWriteSettings::describe); "" for the defaults
};
struct S3Checks {
  std::string credentials_from;
  std::vector<BucketToCheck> buckets;  // the project buckets the store has seen, and those asked for
  bool write_probe = false;
  std::string no_recorded_projects{};  // why the store's projects are not known ("" when they are)
};
std::vector<Finding> check_s3(ObjectStore& objects, const S3Checks& what);

// A check not made: "not checked: <why>".
Finding skipped(std::string check, std::string why);
// The S3 checks that need a signed request (endpoint, clock, buckets), not made without credentials.
std::vector<Finding> skipped_without_credentials();

}  // namespace rawbackup
