// The raw-file record: one per acquisition (a Thermo .raw, a Bruker .d, a Sciex set).
#pragma once
#include <cstdint>
#include <map>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <vector>

#include "config/config.h"
#include "integrity/md5.h"

namespace rawbackup {

// Where the raw file is in its life. Written by checksum and copy-local.
enum class RawFileStatus { checksumming, checksummed, copying, copying_done, error };

// Where its backup is (local backup or S3, whichever backup_type says is the backup).
// attention: a backup the record has was found missing or different (verify), or the local
// copy conflicts with what is at its destination (copy-local); `error` says what. A person
// decides; the run that makes the backup good again (copy-local, upload-s3, or a verify that
// passes) sets it back to done. Purge refuses it like any state but done.
enum class BackupStatus { pending, in_progress, done, failed, skipped, attention };

const char* to_string(RawFileStatus s);
const char* to_string(BackupStatus s);
// Parse; nullopt for an unknown name.
std::optional<RawFileStatus> raw_file_status_from(const std::string& s);
std::optional<BackupStatus> backup_status_from(const std::string& s);
std::optional<Vendor> vendor_from(const std::string& s);

// What an S3 ETag noted in the record (FileEntry::object_etag) is, and how the object was
// proven to hold the file's bytes: other_tool, uploaded by another tool with other parts and
// proven by re-hashing the file at those part sizes; read_back, its bytes read from S3 and
// hashed (verify --deep, upload-s3's adoption); encrypted, the opaque ETag S3 gave an object
// rawbackup uploaded under SSE-KMS / SSE-C, whose bytes the server checked against
// Content-MD5 as they were sent.
enum class ObjectEtagKind { none, other_tool, read_back, encrypted };
const char* to_string(ObjectEtagKind kind);  // "", "other_tool", "read_back", "encrypted"
std::optional<ObjectEtagKind> object_etag_kind_from(const std::string& s);

// One file of the set, keyed by its path relative to the instrument folder ("x.d/a/b").
struct FileEntry {
  uint64_t size = 0;
  std::string md5;
  std::string etag;
  uint64_t part_size = 0;  // the part size `etag` was computed for
  int64_t mtime_ns = 0;    // at checksum time, to notice later changes
  // MD5 of each part (`part_size` bytes, the last one shorter), from the same pass as `etag`,
  // for a file of more than one part (a one-part file's part MD5 is `md5`); empty also for
  // records checksummed before rawbackup kept them (filled in at the next --rehash).
  std::vector<Md5Digest> part_md5s{};
  // The S3 object another tool uploaded with other parts (awscli, rclone, …), once its bytes
  // were proven to be this file's, or the opaque ETag of an encrypted upload: its ETag, part
  // size and kind; "", 0 and none otherwise.
  std::string object_etag{};
  uint64_t object_part_size = 0;
  ObjectEtagKind object_etag_kind = ObjectEtagKind::none;

  // The part size to upload and check this file with; `fallback` for records without one.
  uint64_t part_size_or(uint64_t fallback) const { return part_size ? part_size : fallback; }
  // The recorded MD5 (hex) of part `index` when the file goes in parts of `part_size`: its MD5
  // for a file of one part, else the recorded part MD5; "" when none applies (a record from
  // before part MD5s were kept, or one recorded at another part size).
  std::string part_md5_hex(uint64_t part_size, uint64_t index) const;
  // Whether an object S3 reports with ETag `reported` (quotes allowed) holds this file's
  // bytes as far as its ETag tells: the record's multipart ETag, its MD5, or the ETag of the
  // other tool's object proven before.
  bool allows_etag(const std::string& reported) const;
  bool operator==(const FileEntry&) const = default;
};

using FileInfo = std::map<std::string, FileEntry>;

// A record without its files: what listings and tables need (cheap to read in bulk).
struct RecordRow {
  std::string id;  // the raw file's name
  std::string instrument_id;
  std::string project_id;
  Vendor vendor = Vendor::thermo;
  std::string created_at;  // ISO-8601 UTC: the set's newest mtime
  uint64_t size = 0;       // sum of file sizes
  RawFileStatus status = RawFileStatus::checksumming;
  BackupStatus backup_status = BackupStatus::pending;
  std::optional<std::string> backup_base_path;
  std::optional<std::string> s3_upload_path;
  std::optional<std::string> error;             // last failure, one line
  std::optional<std::string> last_verified_at;  // when verify last found every backup good
  std::optional<std::string> purged_at;         // when purge deleted the instrument copy (the backups remain)
  std::optional<std::string> backup_purged_at;  // when purge --target backup deleted the local backup (S3 remains)
  std::string updated_at;
};

// The whole record.
struct RawFile : RecordRow {
  FileInfo file_info;
  // Unfinished multipart uploads kept for a resume: object key → upload ID.
  std::map<std::string, std::string> s3_uploads;
};

// JSON with the field names above; file_info as {path: {size, md5, etag, part_size, mtime_ns,
// parts}} (parts: how many part MD5s are recorded; the digests themselves stay in the store).
nlohmann::json to_json(const RecordRow& row);
nlohmann::json to_json(const RawFile& record);
nlohmann::json file_info_to_json(const FileInfo& info);

}  // namespace rawbackup
