#include "storage/fenced_object_store.h"

namespace rawbackup {

std::optional<s3::S3Error> FencedObjectStore::refused() const {
  if (Status held = fence_(); !held) return s3::local_error(s3::S3ErrorOrigin::fenced, held.error().message);
  return std::nullopt;
}

// Each change: refused when the fence says so, else sent as it is.
#define FENCED(call)                                                     \
  if (auto error = refused()) return std::unexpected(std::move(*error)); \
  return inner_().call

S3Status FencedObjectStore::restore_object(const std::string& bucket, const std::string& key, int days,
                                           const std::string& tier) {
  FENCED(restore_object(bucket, key, days, tier));
}

S3Status FencedObjectStore::create_bucket(const std::string& bucket) { FENCED(create_bucket(bucket)); }

S3Result<WriteReply> FencedObjectStore::put_object(const std::string& bucket, const std::string& key,
                                                    const Body& body) {
  FENCED(put_object(bucket, key, body));
}

S3Result<std::string> FencedObjectStore::create_multipart_upload(const std::string& bucket, const std::string& key) {
  FENCED(create_multipart_upload(bucket, key));
}

S3Result<WriteReply> FencedObjectStore::upload_part(const std::string& bucket, const std::string& key,
                                                     const std::string& upload_id, int part_number, const Body& body) {
  FENCED(upload_part(bucket, key, upload_id, part_number, body));
}

S3Result<std::string> FencedObjectStore::complete_multipart_upload(const std::string& bucket, const std::string& key,
                                                                   const std::string& upload_id,
                                                                   const std::vector<s3::UploadedPart>& parts) {
  FENCED(complete_multipart_upload(bucket, key, upload_id, parts));
}

S3Status FencedObjectStore::delete_object(const std::string& bucket, const std::string& key) {
  FENCED(delete_object(bucket, key));
}

S3Status FencedObjectStore::abort_multipart_upload(const std::string& bucket, const std::string& key,
                                                   const std::string& upload_id) {
  FENCED(abort_multipart_upload(bucket, key, upload_id));
}

#undef FENCED

}  // namespace rawbackup
