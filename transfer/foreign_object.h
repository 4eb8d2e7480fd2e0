// An S3 object of a file's size whose ETag the record does not allow: the same bytes another
// tool uploaded with other parts (awscli, rclone, s3cmd, minio clients, alphakraken), or other
// bytes. Told apart by re-hashing a local copy of the file in one read at every part size the
// object's ETag allows (integrity/foreign_etag.h) — no byte is downloaded.
#pragma once
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "common/result.h"
#include "model/raw_file.h"
#include "storage/filesystem.h"
#include "storage/object_store.h"

namespace rawbackup {

enum class ForeignVerdict { same, differs };

struct ForeignObject {
  ForeignVerdict verdict = ForeignVerdict::differs;
  uint64_t part_size = 0;  // same: the part size the other tool used
  std::string etag;        // the object's ETag, without quotes
  std::string detail;      // one line: "uploaded with 8 MiB parts by another tool", or what differs
};

// The part sizes worth a re-hash for `object`: none unless it has the file's size and a
// multipart ETag ("hex-N") that some known part size explains.
std::vector<uint64_t> foreign_candidates(const FileEntry& entry, const ObjectInfo& object);

// `object` has the file's size and a multipart ETag ("hex-N"): its ETag says nothing about
// its bytes unless the part size it was uploaded at is known (rclone --s3-chunk-size 7M or
// boto3 at 10,000,000 bytes follow no convention). Only its bytes, hashed, can tell.
bool multipart_of_file_size(const FileEntry& entry, const ObjectInfo& object);

// Reads `local` (a copy of the file: the local backup or the instrument's) once, at every
// candidate. Kind mismatch when the local copy is not the recorded bytes (its MD5 differs):
// then it cannot vouch for the object either way.
Result<ForeignObject> identify_foreign_object(const FileSystem& fs, const std::filesystem::path& local,
                                              const FileEntry& entry, const ObjectInfo& object,
                                              const std::function<void(size_t)>& on_bytes = {});

// `entry` noting the object proven to hold its bytes (object_etag, object_part_size).
FileEntry with_object(FileEntry entry, const ForeignObject& found);

// "8 MiB", or "15000000 bytes" for a size that is no whole MiB.
std::string part_size_text(uint64_t part_size);

}  // namespace rawbackup
