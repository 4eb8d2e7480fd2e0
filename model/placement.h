// Where a raw-file set goes: its project, its local backup folder, its S3 bucket and key
// prefix. The placement rules in one place (checksum names the project; copy-local, upload-s3,
// verify and restore find the backups by these rules); storage/s3 only knows S3's own naming
// rules, nothing of records.
#pragma once
#include <filesystem>
#include <string>

#include "common/result.h"
#include "config/config.h"
#include "model/raw_file.h"

namespace rawbackup {

// The project of a raw file whose name matches no project: its backups go to this
// project's bucket, under "<instrument>/<YYYY_MM>/".
inline constexpr const char* fallback_project = "_FALLBACK";

// `explicit_project` when given, else the first group of `project_pattern` matched against
// `name`, else the fallback project.
std::string project_id_for(const Config& config, const std::string& name, const std::string& explicit_project);

// "YYYY_MM" of the record's acquisition (created_at, UTC).
std::string acquisition_month(const RawFile& record);

// The local backup folder relative to locations.backup: the recorded one once copy-local
// recorded it (a set's placement never moves, whatever happens to its created_at), else
// "<instrument>/<YYYY_MM>". Relative, so hosts that mount the backup at other paths agree.
std::string backup_folder(const RawFile& record);

// The local backup folder on this host: backup_folder() under this host's locations.backup.
// A record from before schema 10 whose absolute path could not be migrated is used as is.
std::filesystem::path backup_base(const Config& config, const RawFile& record);

// copy-local finished: a verified local backup under backup_base_path (what upload-s3 reads,
// verify checks and restore falls back to), not deleted since by `purge --target backup`.
bool has_local_backup(const RawFile& record);
// upload-s3 finished: every object under s3_upload_path (what restore prefers and verify
// checks when the config's backup_type is s3).
bool has_s3_backup(const RawFile& record);

// Where a backup lives; `any` for a finding about the record as a whole.
enum class BackupPlace { local, s3, any };
const char* to_string(BackupPlace place);  // "local", "s3", "any"

// The bucket: "{bucket_prefix}-{project}" under S3's naming rules (storage/s3/naming.h);
// kind usage naming the project when S3 would refuse the name.
Result<std::string> s3_bucket(const S3Config& config, const RawFile& record);

// Key prefix of a set: "<instrument>/<YYYY_MM>/" for the fallback project, then "<id>/" for
// Sciex sets (whose files sit flat beside other acquisitions); "" otherwise. File keys follow.
std::string s3_key_prefix(const RawFile& record);

}  // namespace rawbackup
