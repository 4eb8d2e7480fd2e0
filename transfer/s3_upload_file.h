// The steps of uploading one file of a raw-file set to S3, each verified against the record:
// a single PUT, one part of a multipart upload, its completion, its abort.
//
// The bytes are not hashed here: each request carries, as Content-MD5, the MD5 checksum
// recorded for those bytes (the whole file's, or the part's from the same pass), so the server
// checks end to end that it stores what checksum saw. Only when the server refuses the bytes
// (BadDigest) or reports another ETag (servers that ignore Content-MD5) are the local bytes
// hashed, to tell a source that changed since checksum (permanent) from bytes corrupted on the
// way (sent once more, then a transient failure that a re-run resumes). Records from before
// part MD5s were kept fall back to hashing each part just before it is sent.
//
// Under SSE-KMS and SSE-C, S3's ETag is not the MD5 of the bytes (the reply's encryption says
// so): the server's Content-MD5 check is the proof, and the object's opaque ETag is returned
// for the record to note (FileEntry::object_etag, kind encrypted).
#pragma once
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "common/rate_limiter.h"
#include "common/result.h"
#include "model/raw_file.h"
#include "storage/filesystem.h"
#include "storage/object_store.h"

namespace rawbackup {

struct S3Target {
  std::string bucket;
  std::string key;
};

std::string s3_url(const S3Target& target);

// An S3 failure as a task error about `what` (kind interrupted for an interruption, usage for
// a bucket in another region).
Error s3_failure(const s3::S3Error& error, const std::string& what);
// The same for a write (PUT, CreateMultipartUpload, UploadPart) to a bucket that answered
// HEAD: AccessDenied is its policy refusing the upload, kind usage, naming the settings that
// usually fix it.
Error s3_write_failure(const s3::S3Error& error, const std::string& what);

// Where a file's bytes come from, and the error for bytes that no longer match the record
// (`detail` names the file and byte range): the task says whether the instrument's file
// changed or the backup copy is bad. Without `differs`: kind mismatch with the detail.
struct UploadSource {
  const FileSystem* fs = nullptr;
  std::filesystem::path path;
  std::function<Error(const std::string& detail)> differs;
};

// One request's worth of a file: part `number` (1 for a single PUT), its bytes and the MD5
// the record holds for them ("" for a record without part MD5s: hashed before sending).
struct PartSpec {
  int number = 1;
  uint64_t offset = 0;
  uint64_t length = 0;
  std::string md5_hex;

  std::string range() const;  // "bytes 0–5242879"
};

// Part `index` of a file uploaded at `part_size`; a file of one part is the whole file with
// its recorded MD5.
PartSpec part_spec(const FileEntry& entry, uint64_t part_size, uint64_t index);

// The ETag S3 reports for `target` must be the record's multipart ETag or its whole-file
// MD5; kind mismatch otherwise, naming both.
Status verify_etag(const S3Target& target, const std::string& reported, const FileEntry& entry);

// S3 takes at most 10,000 parts: kind usage when the file needs more at its part size.
Status check_part_count(const S3Target& target, const FileEntry& entry, uint64_t part_size);

// The whole file as one PUT with the recorded MD5 as Content-MD5, then its ETag verified; an
// object stored with another ETag is deleted before the failure is returned. Returns the
// object's opaque ETag under SSE-KMS / SSE-C, else "". `limiter`, when given, caps the rate at
// which bytes are sent.
Result<std::string> put_file(ObjectStore& store, const UploadSource& source, const S3Target& target,
                             const FileEntry& entry, RateLimiter* limiter);

// `spec` as part of the upload `upload_id`; the ETag S3 returns must be the part's MD5 (or
// opaque under SSE-KMS / SSE-C). `kept`, when given, is the part as an earlier run left it in
// S3: when its size and ETag match the recorded MD5 it is kept, nothing read or sent (a part
// with an opaque ETag cannot show that, so it is sent again). Returns the part for the
// Complete request (the server's ETag), the MD5 of its bytes, and whether it was sent.
struct PartResult {
  s3::UploadedPart part;
  bool sent = false;
  std::string md5_hex{};
};
Result<PartResult> send_part(ObjectStore& store, const UploadSource& source, const S3Target& target,
                             const std::string& upload_id, const PartSpec& spec, const s3::UploadedPart* kept,
                             RateLimiter* limiter);

// Completes the upload with `parts` (in order) when their MD5s give the record's ETag (else
// the source changed while it was sent: failed, nothing completed), then verifies the
// object's ETag from HeadObject (Ceph 16 leaves it out of Complete's reply); an object with
// another ETag is deleted before the failure is returned. Returns the object's opaque ETag
// under SSE-KMS / SSE-C, else "".
Result<std::string> complete_upload(ObjectStore& store, const S3Target& target, const std::string& upload_id,
                                    const std::vector<PartResult>& parts, const FileEntry& entry);

// Aborts, best effort: logs when it cannot (an upload already gone is fine).
void abort_upload(ObjectStore& store, const S3Target& target, const std::string& upload_id);

}  // namespace rawbackup
