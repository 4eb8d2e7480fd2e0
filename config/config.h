// The validated configuration: plain structs, loaded once from envs/*.yaml.
#pragma once
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <regex>
#include <string>
#include <vector>

namespace rawbackup {

enum class Vendor { thermo, bruker, sciex };
enum class BackupType { local, s3 };

const char* to_string(Vendor v);
const char* to_string(BackupType t);

inline constexpr uint64_t mebibyte = 1024ULL * 1024ULL;
inline constexpr uint64_t default_part_size = 500 * mebibyte;
inline constexpr uint64_t min_part_size = 5 * mebibyte;     // S3's minimum part size
inline constexpr uint64_t max_part_size = 5120 * mebibyte;  // S3's maximum part size

struct InstrumentConfig {
  std::string id;
  Vendor vendor = Vendor::thermo;
  std::filesystem::path path;  // absolute
  // instruments.<id>.required_members: the members without which an acquisition is not
  // complete (model/layout.h); nullopt: the vendor's.
  std::optional<std::vector<std::string>> required_members{};
  // instruments.<id>.mount: the folder must be a mount point (a share that is not mounted
  // shows an empty folder of the host's own disk; `scan` says so instead of "nothing new").
  bool must_be_mount = false;
};

// How objects are written (backup.s3: sse, kms_key_id, bucket_key, sse_c_key_file,
// storage_class), for every project or overridden for one (backup.s3.projects.<project>).
struct ObjectWriteSettings {
  std::string sse{};                      // "" (none asked: the bucket's default), "AES256", "aws:kms"
  std::string kms_key_id{};               // aws:kms: the key ("" the account's default key)
  bool bucket_key = false;                // aws:kms: S3 Bucket Keys (fewer KMS calls)
  std::filesystem::path sse_c_key_file{}; // SSE-C: a file holding the 256-bit key (raw or base64)
  std::string storage_class{};            // "" the bucket's default (STANDARD)

  // "SSE-KMS (a configured key), storage class GLACIER_IR": no key id or key, which are secrets.
  std::string describe() const;
  bool operator==(const ObjectWriteSettings&) const = default;
};

struct S3Config {
  std::string region;  // "" : from AWS_REGION, AWS_DEFAULT_REGION or the profile (storage/s3/client.h)
  std::string bucket_prefix;
  std::optional<std::string> endpoint_url;
  uint64_t part_size = default_part_size;   // bytes
  unsigned concurrency = 4;                 // parallel requests (parts and files) per task
  std::optional<uint64_t> max_bandwidth{};  // bytes per second sent, all requests together
  unsigned stall_timeout_seconds = 30;      // a transfer moving no bytes this long is retried
  std::string profile{};                    // AWS shared-config profile ("" : AWS_PROFILE, else default)
  ObjectWriteSettings objects{};            // how objects are written
  std::map<std::string, ObjectWriteSettings> project_objects{};  // per project, the above overridden

  // The settings for `project`'s bucket.
  const ObjectWriteSettings& objects_for(const std::string& project) const;
};

inline constexpr int64_t default_settle_seconds = 120;
inline constexpr int64_t default_purge_min_age_days = 14;
inline constexpr int64_t default_backup_min_age_days = 90;
inline constexpr int64_t default_aside_min_age_days = 30;

inline constexpr int64_t default_lease_seconds = 300;
inline constexpr int64_t default_age_warn_hours = 2;
inline constexpr int64_t default_age_alert_hours = 8;

struct Config {
  std::filesystem::path file;  // the YAML file it came from
  // The record store: store.url, or store.path as "sqlite:///abs/path" (RAWBACKUP_STORE_URL
  // overrides both when the store is opened).
  std::string store_url;
  // A lock held by a run on another host is taken over after this long without heartbeat.
  int64_t lease_seconds = default_lease_seconds;
  // checksum refuses a set while any file changed this recently (an acquisition still
  // being written); 0 disables the rule.
  int64_t settle_seconds = default_settle_seconds;
  // purge keeps the instrument copy of a set acquired more recently than this.
  int64_t purge_min_age_days = default_purge_min_age_days;
  // purge --target backup keeps the local backup of a set acquired more recently than this,
  // and a .N.bkp copy moved aside more recently than aside_min_age_days.
  int64_t backup_min_age_days = default_backup_min_age_days;
  int64_t aside_min_age_days = default_aside_min_age_days;
  // serve's overview shows an instrument's last acquisition amber once it is this old, red
  // from age_alert_hours (an instrument that stopped delivering).
  int64_t age_warn_hours = default_age_warn_hours;
  int64_t age_alert_hours = default_age_alert_hours;
  // transfer.workers: files read at once by checksum, copy-local, verify's local re-reads and
  // restore; 0 (the default): one per core this process may use (common/system.h).
  unsigned transfer_workers = 0;
  std::map<std::string, InstrumentConfig> instruments;
  std::filesystem::path backup_path;
  std::optional<std::string> project_pattern;
  std::optional<std::regex> project_regex;  // compiled project_pattern
  BackupType backup_type = BackupType::local;
  std::optional<S3Config> s3;

  // Part size used for ETags: the S3 section's, else the default (500 MiB).
  uint64_t part_size() const { return s3 ? s3->part_size : default_part_size; }
  // Throws UsageError naming the known instruments when `id` is unknown.
  const InstrumentConfig& instrument(const std::string& id) const;
};

// Reads and validates a config file. Relative paths resolve against its folder.
// Throws UsageError with a one-line message "FILE: key.path: problem".
Config load_config(const std::filesystem::path& file);

// Same, from text (for tests); `file` is used for messages and relative paths.
Config parse_config(const std::string& yaml_text, const std::filesystem::path& file);

}  // namespace rawbackup
