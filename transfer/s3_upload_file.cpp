#include "transfer/s3_upload_file.h"

#include <spdlog/spdlog.h>

#include "integrity/etag.h"
#include "integrity/md5.h"

namespace rawbackup {
namespace {

// Sends one body (a PUT or an UploadPart); returns the ETag the server reports.
using Sender = std::function<S3Result<std::string>(const Body&)>;

// The object's ETag now: the one a PUT reply carried, or HEAD's when it was empty.
Result<std::string> reported_etag(ObjectStore& store, const S3Target& target, std::string from_reply) {
  if (!from_reply.empty()) return from_reply;
  auto info = store.head_object(target.bucket, target.key);
  if (!info) return std::unexpected(s3_failure(info.error(), "HEAD " + s3_url(target)));
  if (!*info) return fail(ErrorKind::mismatch, s3_url(target) + " is missing after its upload");
  return (*info)->etag;
}

// The body's bytes pass `limiter` as they are sent; an interruption while waiting is one.
void throttle(Body& body, RateLimiter* limiter) {
  if (!limiter) return;
  body.read_at = [read = std::move(body.read_at), limiter](uint64_t offset,
                                                           std::span<std::byte> out) -> Result<size_t> {
    auto n = read(offset, out);
    if (n && !limiter->acquire(*n)) return fail(ErrorKind::interrupted, "interrupted");
    return n;
  };
}

// The body for `spec`: read only while sent when the record holds its MD5, else hashed first.
Result<Body> body_for(const UploadSource& source, const PartSpec& spec) {
  if (spec.md5_hex.empty()) return file_range_body(*source.fs, source.path, spec.offset, spec.length);
  return file_range_body(*source.fs, source.path, spec.offset, spec.length, spec.md5_hex);
}

// Why the server's answer is not the body's MD5, for messages.
std::string refusal(const S3Result<std::string>& etag, const std::string& md5_hex) {
  if (!etag) return "the server refused the bytes sent (BadDigest: not the MD5 they were sent with)";
  return "S3 stored ETag " + s3::unquoted(*etag) + " for bytes sent with MD5 " + md5_hex;
}

// Sends `body` (bytes `spec` of `source`) and returns the ETag once it is the body's MD5. When
// the server refuses the bytes or stores others (`stored_wrong` undoes that), the local bytes
// are hashed: not the recorded ones → source.differs (permanent); the same → corrupted on the
// way, sent once more, then a transient failure.
Result<std::string> send_checked(const UploadSource& source, const PartSpec& spec, Body body, RateLimiter* limiter,
                                 const Sender& send, const std::function<void()>& stored_wrong,
                                 const std::string& what) {
  throttle(body, limiter);
  for (int attempt = 1;; ++attempt) {
    auto etag = send(body);
    bool refused = !etag && etag.error().code == "BadDigest";
    if (!etag && !refused) return std::unexpected(s3_failure(etag.error(), what));
    if (etag && (etag->empty() || s3::unquoted(*etag) == body.md5_hex)) return *etag;
    std::string why = refusal(etag, body.md5_hex);
    if (etag) stored_wrong();
    auto local = md5_of_file_range(*source.fs, source.path, spec.offset, spec.length);
    if (!local) return std::unexpected(local.error());
    if (*local != body.md5_hex) {
      std::string detail = what + " (" + spec.range() + " of " + source.path.string() + ") has MD5 " + *local +
                           ", checksum recorded " + body.md5_hex;
      return std::unexpected(source.differs ? source.differs(detail) : Error{ErrorKind::mismatch, detail});
    }
    if (attempt == 2) {
      return std::unexpected(Error{ErrorKind::failed,
                                   what + ": " + why +
                                       ", twice, although the local bytes match "
                                       "the record: corrupted on the way",
                                   true});
    }
    spdlog::warn("{}: {}; the local bytes match the record (corrupted on the way): sending them again", what, why);
  }
}

// Deletes an object found not to be the record's, so that no wrong bytes stay under its key.
void delete_wrong_object(ObjectStore& store, const S3Target& target) {
  if (auto deleted = store.delete_object(target.bucket, target.key); !deleted) {
    spdlog::error("could not delete {}, which differs from the record: {}", s3_url(target),
                  s3::describe(deleted.error()));
  } else {
    spdlog::warn("deleted {}: the server stored other bytes than the record's", s3_url(target));
  }
}

}  // namespace

std::string s3_url(const S3Target& t) { return "s3://" + t.bucket + "/" + t.key; }

Error s3_failure(const s3::S3Error& error, const std::string& what) {
  if (s3::is_interrupted(error)) return Error{ErrorKind::interrupted, "interrupted during " + what};
  if (error.code == "WrongRegion") return Error{ErrorKind::usage, what + ": " + error.message};
  if (error.origin == s3::S3ErrorOrigin::tls_config) {
    return Error{ErrorKind::usage, what + ": " + s3::describe(error) +
                                       " (trust the endpoint's CA with AWS_CA_BUNDLE or the profile's ca_bundle)"};
  }
  return Error{ErrorKind::failed, what + ": " + s3::describe(error), s3::is_transient(error)};
}

std::string PartSpec::range() const {
  if (length == 0) return "no bytes";
  return "bytes " + std::to_string(offset) + "–" + std::to_string(offset + length - 1);
}

PartSpec part_spec(const FileEntry& entry, uint64_t part_size, uint64_t index) {
  uint64_t offset = index * part_size;
  return PartSpec{static_cast<int>(index + 1), offset, std::min(part_size, entry.size - offset),
                  entry.part_md5_hex(part_size, index)};
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

Status put_file(ObjectStore& store, const UploadSource& source, const S3Target& target, const FileEntry& entry,
                RateLimiter* limiter) {
  PartSpec whole{1, 0, entry.size, entry.md5};
  TRY_ASSIGN(body, body_for(source, whole));
  auto send = [&](const Body& b) { return store.put_object(target.bucket, target.key, b); };
  TRY_ASSIGN(etag, send_checked(
                       source, whole, std::move(body), limiter, send, [&] { delete_wrong_object(store, target); },
                       "PUT " + s3_url(target)));
  TRY_ASSIGN(reported, reported_etag(store, target, etag));
  Status verified = verify_etag(target, reported, entry);
  if (!verified) delete_wrong_object(store, target);
  return verified;
}

Result<PartResult> send_part(ObjectStore& store, const UploadSource& source, const S3Target& target,
                             const std::string& upload_id, const PartSpec& spec, const s3::UploadedPart* kept,
                             RateLimiter* limiter) {
  bool kept_fits = kept && kept->size == spec.length;
  if (kept_fits && !spec.md5_hex.empty() && s3::unquoted(kept->etag) == spec.md5_hex) {
    return PartResult{{spec.number, spec.md5_hex, spec.length}, false};  // resumed without a read
  }
  TRY_ASSIGN(body, body_for(source, spec));
  std::string md5 = body.md5_hex;
  if (kept_fits && spec.md5_hex.empty() && s3::unquoted(kept->etag) == md5) {
    return PartResult{{spec.number, md5, spec.length}, false};  // an old record's part, hashed to compare
  }
  auto send = [&](const Body& b) { return store.upload_part(target.bucket, target.key, upload_id, spec.number, b); };
  std::string what = "part " + std::to_string(spec.number) + " of " + s3_url(target);
  TRY(send_checked(
      source, spec, std::move(body), limiter, send, [] {}, what));
  return PartResult{{spec.number, md5, spec.length}, true};
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
  TRY_ASSIGN(reported, reported_etag(store, target, ""));
  Status verified = verify_etag(target, reported, entry);
  if (!verified) delete_wrong_object(store, target);
  return verified;
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
