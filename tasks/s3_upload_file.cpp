#include "tasks/s3_upload_file.h"

#include <spdlog/spdlog.h>

#include "integrity/etag.h"
#include "integrity/md5.h"

namespace rawbackup {
namespace {

// The object's ETag now: the one a PUT reply carried, or HEAD's when it was empty.
Result<std::string> reported_etag(ObjectStore& store, const S3Target& target, std::string from_reply) {
  if (!from_reply.empty()) return from_reply;
  auto info = store.head_object(target.bucket, target.key);
  if (!info) return std::unexpected(s3_failure(info.error(), "HEAD " + s3_url(target)));
  if (!*info) return fail(ErrorKind::mismatch, s3_url(target) + " is missing after its upload");
  return (*info)->etag;
}

// The body's bytes pass `limiter` as they are sent.
void throttle(Body& body, RateLimiter* limiter) {
  if (!limiter) return;
  body.read_at = [read = std::move(body.read_at), limiter](uint64_t offset, std::span<std::byte> out) -> Result<size_t> {
    auto n = read(offset, out);
    if (n && !limiter->acquire(*n)) return fail(ErrorKind::interrupted, "interrupted");
    return n;
  };
}

}  // namespace

std::string s3_url(const S3Target& t) { return "s3://" + t.bucket + "/" + t.key; }

Error s3_failure(const s3::S3Error& error, const std::string& what) {
  if (error.code == "Interrupted") return Error{ErrorKind::interrupted, "interrupted during " + what};
  return Error{ErrorKind::failed, what + ": " + s3::describe(error), s3::is_transient(error)};
}

Status verify_etag(const S3Target& target, const std::string& reported, const FileEntry& entry) {
  if (etag_matches(reported, entry.md5, entry.etag)) return {};
  return fail(ErrorKind::mismatch, s3_url(target) + ": S3 reports ETag " + s3::unquoted(reported) +
                                       ", the record expects " + entry.etag + " (MD5 " + entry.md5 + ")");
}

Status check_part_count(const S3Target& target, const FileEntry& entry, uint64_t part_size) {
  uint64_t parts = part_count(entry.size, part_size);
  if (parts <= max_part_count) return {};
  return fail(ErrorKind::usage, s3_url(target) + " would need " + std::to_string(parts) +
                                    " parts and S3 allows 10000: re-run checksum (it grows the part size)");
}

Status put_file(ObjectStore& store, const FileSystem& fs, const S3Target& target,
                const std::filesystem::path& source, const FileEntry& entry, RateLimiter* limiter) {
  auto body = file_range_body(fs, source, 0, entry.size);
  if (!body) return std::unexpected(body.error());
  throttle(*body, limiter);
  auto etag = store.put_object(target.bucket, target.key, *body);
  if (!etag) return std::unexpected(s3_failure(etag.error(), "PUT " + s3_url(target)));
  auto reported = reported_etag(store, target, *etag);
  if (!reported) return std::unexpected(reported.error());
  return verify_etag(target, *reported, entry);
}

Result<PartResult> send_part(ObjectStore& store, const FileSystem& fs, const S3Target& target,
                             const std::string& upload_id, const std::filesystem::path& source, int number,
                             uint64_t offset, uint64_t length, const s3::UploadedPart* kept,
                             RateLimiter* limiter) {
  auto body = file_range_body(fs, source, offset, length);  // reads the part once for its MD5
  if (!body) return std::unexpected(body.error());
  if (kept && kept->size == length && s3::unquoted(kept->etag) == body->md5_hex) {
    return PartResult{{number, body->md5_hex, length}, false};
  }
  throttle(*body, limiter);
  auto etag = store.upload_part(target.bucket, target.key, upload_id, number, *body);
  std::string what = "part " + std::to_string(number) + " of " + s3_url(target);
  if (!etag) return std::unexpected(s3_failure(etag.error(), what));
  if (!etag->empty() && s3::unquoted(*etag) != body->md5_hex) {
    return fail(ErrorKind::mismatch, what + ": S3 stored ETag " + *etag + ", the part's MD5 is " + body->md5_hex);
  }
  return PartResult{{number, body->md5_hex, length}, true};
}

Status complete_upload(ObjectStore& store, const S3Target& target, const std::string& upload_id,
                       const std::vector<s3::UploadedPart>& parts, const FileEntry& entry) {
  std::vector<Md5Digest> digests;
  for (const s3::UploadedPart& part : parts) {
    auto digest = md5_from_hex(s3::unquoted(part.etag));
    if (!digest) return fail(s3_url(target) + ": part " + std::to_string(part.number) + " has no MD5 to check");
    digests.push_back(*digest);
  }
  if (std::string sent = etag_from_part_digests(digests); sent != entry.etag) {
    return fail(s3_url(target) + ": the parts sent give ETag " + sent + ", the record " + entry.etag +
                ": the source changed during the upload; nothing completed (re-run checksum)");
  }
  auto etag = store.complete_multipart_upload(target.bucket, target.key, upload_id, parts);
  if (!etag) return std::unexpected(s3_failure(etag.error(), "completing " + s3_url(target)));
  auto reported = reported_etag(store, target, "");
  if (!reported) return std::unexpected(reported.error());
  return verify_etag(target, *reported, entry);
}

void abort_upload(ObjectStore& store, const S3Target& target, const std::string& upload_id) {
  auto aborted = store.abort_multipart_upload(target.bucket, target.key, upload_id);
  if (aborted) {
    spdlog::info("aborted the unfinished upload of {}", s3_url(target));
  } else if (!s3::is_upload_gone(aborted.error())) {
    spdlog::warn("could not abort the upload of {} (upload id {}): {}", s3_url(target), upload_id,
                 s3::describe(aborted.error()));
  }
}

}  // namespace rawbackup
