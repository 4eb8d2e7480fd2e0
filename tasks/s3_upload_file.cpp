#include "tasks/s3_upload_file.h"

#include <spdlog/spdlog.h>

#include "common/interrupt.h"
#include "integrity/etag.h"

namespace rawbackup {
namespace {

constexpr uint64_t max_parts = 10000;  // S3's limit per multipart upload

std::string s3_url(const S3Target& t) { return "s3://" + t.bucket + "/" + t.key; }

// The object's ETag now: the one a PUT/Complete reply carried, or HEAD's when it was empty.
Result<std::string> reported_etag(ObjectStore& store, const S3Target& target, std::string from_reply) {
  if (!from_reply.empty()) return from_reply;
  auto info = store.head_object(target.bucket, target.key);
  if (!info) return std::unexpected(s3_failure(info.error(), "HEAD " + s3_url(target)));
  if (!*info) return fail(ErrorKind::mismatch, s3_url(target) + " is missing after its upload");
  return (*info)->etag;
}

Status put_single(ObjectStore& store, const FileSystem& fs, const S3Target& target,
                  const std::filesystem::path& source, const FileEntry& entry) {
  auto body = file_range_body(fs, source, 0, entry.size);
  if (!body) return std::unexpected(body.error());
  auto etag = store.put_object(target.bucket, target.key, *body);
  if (!etag) return std::unexpected(s3_failure(etag.error(), "PUT " + s3_url(target)));
  auto reported = reported_etag(store, target, *etag);
  if (!reported) return std::unexpected(reported.error());
  return verify_etag(target, *reported, entry);
}

// Sends every part; returns them for the Complete request.
Result<std::vector<s3::UploadedPart>> send_parts(ObjectStore& store, const FileSystem& fs, const S3Target& target,
                                                 const std::string& upload_id, const std::filesystem::path& source,
                                                 const FileEntry& entry, uint64_t part_size,
                                                 const std::function<void(uint64_t)>& on_bytes) {
  std::vector<s3::UploadedPart> parts;
  uint64_t count = part_count(entry.size, part_size);
  for (uint64_t i = 0; i < count; ++i) {
    if (interrupted()) return fail(ErrorKind::interrupted, "interrupted while uploading " + s3_url(target));
    uint64_t offset = i * part_size;
    uint64_t length = std::min(part_size, entry.size - offset);
    auto body = file_range_body(fs, source, offset, length);
    if (!body) return std::unexpected(body.error());
    int number = static_cast<int>(i + 1);
    auto etag = store.upload_part(target.bucket, target.key, upload_id, number, *body);
    std::string what = "part " + std::to_string(number) + "/" + std::to_string(count) + " of " + s3_url(target);
    if (!etag) return std::unexpected(s3_failure(etag.error(), what));
    if (!etag->empty() && s3::unquoted(*etag) != body->md5_hex) {
      return fail(ErrorKind::mismatch, what + ": S3 stored ETag " + *etag + ", the part's MD5 is " + body->md5_hex);
    }
    parts.push_back({number, etag->empty() ? body->md5_hex : s3::unquoted(*etag), length});
    on_bytes(length);
  }
  return parts;
}

Status put_multipart(ObjectStore& store, const FileSystem& fs, const S3Target& target,
                     const std::filesystem::path& source, const FileEntry& entry, uint64_t part_size,
                     const std::function<void(uint64_t)>& on_bytes) {
  auto upload_id = store.create_multipart_upload(target.bucket, target.key);
  if (!upload_id) return std::unexpected(s3_failure(upload_id.error(), "starting the upload of " + s3_url(target)));
  bool completed = false;
  auto finish = [&]() -> Status {
    auto parts = send_parts(store, fs, target, *upload_id, source, entry, part_size, on_bytes);
    if (!parts) return std::unexpected(parts.error());
    auto etag = store.complete_multipart_upload(target.bucket, target.key, *upload_id, *parts);
    if (!etag) return std::unexpected(s3_failure(etag.error(), "completing " + s3_url(target)));
    completed = true;
    // Ceph 16 answers Complete with an empty ETag: HEAD the object for the real one.
    auto reported = reported_etag(store, target, "");
    if (!reported) return std::unexpected(reported.error());
    return verify_etag(target, *reported, entry);
  };
  Status done = finish();
  if (!done && !completed) {
    auto aborted = store.abort_multipart_upload(target.bucket, target.key, *upload_id);
    if (aborted) {
      spdlog::info("aborted the unfinished upload of {}", s3_url(target));
    } else if (!s3::is_upload_gone(aborted.error())) {
      spdlog::warn("could not abort the upload of {} (upload id {}): {}", s3_url(target), *upload_id,
                   s3::describe(aborted.error()));
    }
  }
  return done;
}

}  // namespace

Error s3_failure(const s3::S3Error& error, const std::string& what) {
  if (error.code == "Interrupted") return Error{ErrorKind::interrupted, "interrupted during " + what};
  return Error{ErrorKind::failed, what + ": " + s3::describe(error)};
}

Status verify_etag(const S3Target& target, const std::string& reported, const FileEntry& entry) {
  if (etag_matches(reported, entry.md5, entry.etag)) return {};
  return fail(ErrorKind::mismatch, s3_url(target) + ": S3 reports ETag " + s3::unquoted(reported) +
                                       ", the record expects " + entry.etag + " (MD5 " + entry.md5 + ")");
}

Status check_part_count(const S3Target& target, const FileEntry& entry, uint64_t fallback_part_size) {
  uint64_t parts = part_count(entry.size, entry.part_size ? entry.part_size : fallback_part_size);
  if (parts <= max_parts) return {};
  return fail(ErrorKind::usage, s3_url(target) + " would need " + std::to_string(parts) +
                                    " parts and S3 allows 10000: raise backup.s3.part_size_mb and re-run checksum");
}

Status upload_file(ObjectStore& store, const FileSystem& fs, const S3Target& target,
                   const std::filesystem::path& source, const FileEntry& entry, uint64_t fallback_part_size,
                   const std::function<void(uint64_t)>& on_bytes) {
  uint64_t part_size = entry.part_size ? entry.part_size : fallback_part_size;
  if (entry.size <= part_size) {
    Status s = put_single(store, fs, target, source, entry);
    if (s) on_bytes(entry.size);
    return s;
  }
  if (Status s = check_part_count(target, entry, fallback_part_size); !s) return s;
  return put_multipart(store, fs, target, source, entry, part_size, on_bytes);
}

}  // namespace rawbackup
