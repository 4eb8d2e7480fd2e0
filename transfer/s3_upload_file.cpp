#include "transfer/s3_upload_file.h"

#include <spdlog/spdlog.h>

#include "integrity/etag.h"
#include "integrity/md5.h"

namespace rawbackup {
namespace {

// Sends one body (a PUT or an UploadPart); returns what the server reports.
using Sender = std::function<S3Result<WriteReply>(const Body&)>;

// The object's ETag and encryption now: the ones a reply carried, or HEAD's when it had no ETag.
Result<WriteReply> reported(ObjectStore& store, const S3Target& target, WriteReply from_reply) {
  if (!from_reply.etag.empty()) return from_reply;
  auto info = store.head_object(target.bucket, target.key);
  if (!info) return std::unexpected(s3_failure(info.error(), "HEAD " + s3_url(target)));
  if (!*info) return fail(ErrorKind::mismatch, s3_url(target) + " is missing after its upload");
  return WriteReply{(*info)->etag, from_reply.encryption.empty() ? (*info)->encryption : from_reply.encryption};
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
std::string refusal(const S3Result<WriteReply>& reply, const std::string& md5_hex) {
  if (!reply) return "the server refused the bytes sent (BadDigest: not the MD5 they were sent with)";
  return "S3 stored ETag " + s3::unquoted(reply->etag) + " for bytes sent with MD5 " + md5_hex;
}

// Sends `body` (bytes `spec` of `source`) and returns the reply once its ETag is the body's MD5,
// or one the encryption makes opaque (the server checked the bytes against Content-MD5). When
// the server refuses the bytes or stores others (`stored_wrong` undoes that), the local bytes
// are hashed: not the recorded ones → source.differs (permanent); the same → corrupted on the
// way, sent once more, then a transient failure.
Result<WriteReply> send_checked(const UploadSource& source, const PartSpec& spec, Body body, RateLimiter* limiter,
                                 const Sender& send, const std::function<void()>& stored_wrong,
                                 const std::string& what) {
  throttle(body, limiter);
  for (int attempt = 1;; ++attempt) {
    auto reply = send(body);
    bool refused = !reply && reply.error().code == "BadDigest";
    if (!reply && !refused) return std::unexpected(s3_write_failure(reply.error(), what));
    if (reply && (reply->etag.empty() || !reply->etag_is_md5() || s3::unquoted(reply->etag) == body.md5_hex)) {
      return *reply;
    }
    std::string why = refusal(reply, body.md5_hex);
    if (reply) stored_wrong();
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

// The object just written, checked: an ETag that is the record's MD5 or multipart ETag (""
// returned), or an opaque one under SSE-KMS / SSE-C, returned to be noted in the record (every
// byte was checked against Content-MD5 as it was sent). Another ETag: the object is deleted.
Result<std::string> checked_object(ObjectStore& store, const S3Target& target, const FileEntry& entry,
                                   WriteReply reply) {
  TRY_ASSIGN(now, reported(store, target, std::move(reply)));
  if (!now.etag_is_md5() && !etag_matches(now.etag, entry.md5, entry.etag)) return s3::unquoted(now.etag);
  Status verified = verify_etag(target, now.etag, entry);
  if (!verified) {
    delete_wrong_object(store, target);
    return std::unexpected(verified.error());
  }
  return std::string{};
}

}  // namespace

std::string s3_url(const S3Target& t) { return "s3://" + t.bucket + "/" + t.key; }

Error s3_failure(const s3::S3Error& error, const std::string& what) {
  if (s3::is_interrupted(error)) return Error{ErrorKind::interrupted, "interrupted during " + what};
  if (error.code == "WrongRegion") return Error{ErrorKind::usage, what + ": " + error.message};
  if (error.code == "InvalidObjectState") {  // found archived only now (its class changed since it was listed)
    return Error{ErrorKind::mismatch, what + ": the object is archived (GLACIER or DEEP_ARCHIVE) and not restored: " +
                                          "`rawbackup restore ID --request-archive-restore DAYS` asks S3 for a copy"};
  }
  if (error.origin == s3::S3ErrorOrigin::tls_config) {
    return Error{ErrorKind::usage, what + ": " + s3::describe(error) +
                                       " (trust the endpoint's CA with AWS_CA_BUNDLE or the profile's ca_bundle)"};
  }
  return Error{ErrorKind::failed, what + ": " + s3::describe(error), s3::is_transient(error)};
}

Error s3_write_failure(const s3::S3Error& error, const std::string& what) {
  if (error.code != "AccessDenied") return s3_failure(error, what);
  return Error{ErrorKind::usage, what + ": the bucket's policy refused the upload (AccessDenied): policies usually " +
                                     "require encryption (set backup.s3.sse: aws:kms or AES256) or TLS (an https:// " +
                                     "endpoint_url)"};
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

Result<std::string> put_file(ObjectStore& store, const UploadSource& source, const S3Target& target,
                             const FileEntry& entry, RateLimiter* limiter) {
  PartSpec whole{1, 0, entry.size, entry.md5};
  TRY_ASSIGN(body, body_for(source, whole));
  auto send = [&](const Body& b) { return store.put_object(target.bucket, target.key, b); };
  TRY_ASSIGN(reply, send_checked(
                        source, whole, std::move(body), limiter, send, [&] { delete_wrong_object(store, target); },
                        "PUT " + s3_url(target)));
  return checked_object(store, target, entry, reply);
}

Result<PartResult> send_part(ObjectStore& store, const UploadSource& source, const S3Target& target,
                             const std::string& upload_id, const PartSpec& spec, const s3::UploadedPart* kept,
                             RateLimiter* limiter) {
  bool kept_fits = kept && kept->size == spec.length;
  if (kept_fits && !spec.md5_hex.empty() && s3::unquoted(kept->etag) == spec.md5_hex) {
    return PartResult{{spec.number, spec.md5_hex, spec.length}, false, spec.md5_hex};  // resumed without a read
  }
  TRY_ASSIGN(body, body_for(source, spec));
  std::string md5 = body.md5_hex;
  if (kept_fits && spec.md5_hex.empty() && s3::unquoted(kept->etag) == md5) {
    return PartResult{{spec.number, md5, spec.length}, false, md5};  // an old record's part, hashed to compare
  }
  auto send = [&](const Body& b) { return store.upload_part(target.bucket, target.key, upload_id, spec.number, b); };
  std::string what = "part " + std::to_string(spec.number) + " of " + s3_url(target);
  TRY_ASSIGN(reply, send_checked(
                        source, spec, std::move(body), limiter, send, [] {}, what));
  return PartResult{{spec.number, reply.etag.empty() ? md5 : reply.etag, spec.length}, true, md5};
}

Result<std::string> complete_upload(ObjectStore& store, const S3Target& target, const std::string& upload_id,
                                    const std::vector<PartResult>& done, const FileEntry& entry) {
  std::vector<Md5Digest> digests;
  std::vector<s3::UploadedPart> parts;
  for (const PartResult& result : done) {
    auto digest = md5_from_hex(result.md5_hex);
    if (!digest) return fail(s3_url(target) + ": part " + std::to_string(result.part.number) + " has no MD5 to check");
    digests.push_back(*digest);
    parts.push_back(result.part);
  }
  if (std::string sent = etag_from_part_digests(digests); sent != entry.etag) {
    return fail(s3_url(target) + ": the parts sent give ETag " + sent + ", the record " + entry.etag +
                ": the source changed during the upload; nothing completed (re-run checksum)");
  }
  auto etag = store.complete_multipart_upload(target.bucket, target.key, upload_id, parts);
  if (!etag) return std::unexpected(s3_failure(etag.error(), "completing " + s3_url(target)));
  return checked_object(store, target, entry, WriteReply{});
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
