#include "storage/retrying_object_store.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <random>
#include <thread>

#include "common/interrupt.h"

namespace rawbackup {
namespace {

// Full jitter: a random delay up to base·2^attempt, capped.
std::chrono::milliseconds backoff(const RetryPolicy& policy, int attempt) {
  static thread_local std::mt19937_64 random{std::random_device{}()};
  auto ceiling = std::min<int64_t>(policy.max_delay.count(), policy.base_delay.count() << std::min(attempt, 20));
  return std::chrono::milliseconds(std::uniform_int_distribution<int64_t>(0, std::max<int64_t>(ceiling, 1))(random));
}

}  // namespace

RetrySleep real_sleep() {
  return [](std::chrono::milliseconds delay, bool interruptible) {
    if (interruptible) return sleep_unless_interrupted(delay);
    std::this_thread::sleep_for(delay);
    return true;
  };
}

RetryingObjectStore::RetryingObjectStore(std::unique_ptr<ObjectStore> inner, RetryPolicy policy, RetrySleep sleep)
    : inner_(std::move(inner)), policy_(policy), sleep_(std::move(sleep)) {}

bool RetryingObjectStore::wait_before_retry(const Operation& op, int attempt, s3::S3Error& error) {
  if (!s3::is_transient(error) || attempt >= policy_.max_attempts) return false;
  auto delay = backoff(policy_, attempt);
  spdlog::warn("S3 {} {}/{}: {}; retry {}/{} in {:.1f} s", op.name, op.bucket, op.key, s3::describe(error), attempt,
               policy_.max_attempts - 1, std::chrono::duration<double>(delay).count());
  if (sleep_(delay, op.interruptible)) return true;
  error = s3::local_error(s3::S3ErrorOrigin::interrupted, "interrupted");
  return false;
}

template <class Call>
auto RetryingObjectStore::with_retries(const Operation& op, const Call& call) -> decltype(call()) {
  for (int attempt = 1;; ++attempt) {
    auto result = call();
    if (result) return result;
    s3::S3Error error = result.error();
    if (!wait_before_retry(op, attempt, error)) return std::unexpected(std::move(error));
  }
}

S3Status RetryingObjectStore::create_bucket(const std::string& bucket) {
  return with_retries({"PUT", bucket, ""}, [&] { return inner_->create_bucket(bucket); });
}

S3Status RetryingObjectStore::head_bucket(const std::string& bucket) {
  return with_retries({"HEAD", bucket, ""}, [&] { return inner_->head_bucket(bucket); });
}

S3Result<std::optional<ObjectInfo>> RetryingObjectStore::head_object(const std::string& bucket,
                                                                     const std::string& key) {
  return with_retries({"HEAD", bucket, key}, [&] { return inner_->head_object(bucket, key); });
}

S3Result<WriteReply> RetryingObjectStore::put_object(const std::string& bucket, const std::string& key,
                                                      const Body& body) {
  return with_retries({"PUT", bucket, key}, [&] { return inner_->put_object(bucket, key, body); });
}

S3Result<std::string> RetryingObjectStore::create_multipart_upload(const std::string& bucket, const std::string& key) {
  return with_retries({"POST", bucket, key}, [&] { return inner_->create_multipart_upload(bucket, key); });
}

S3Result<WriteReply> RetryingObjectStore::upload_part(const std::string& bucket, const std::string& key,
                                                       const std::string& upload_id, int part_number,
                                                       const Body& body) {
  return with_retries({"PUT", bucket, key},
                      [&] { return inner_->upload_part(bucket, key, upload_id, part_number, body); });
}

S3Result<std::string> RetryingObjectStore::complete_multipart_upload(const std::string& bucket, const std::string& key,
                                                                     const std::string& upload_id,
                                                                     const std::vector<s3::UploadedPart>& parts) {
  return with_retries({"POST", bucket, key},
                      [&] { return inner_->complete_multipart_upload(bucket, key, upload_id, parts); });
}

S3Status RetryingObjectStore::delete_object(const std::string& bucket, const std::string& key) {
  return with_retries({"DELETE", bucket, key, false}, [&] { return inner_->delete_object(bucket, key); });
}

S3Status RetryingObjectStore::abort_multipart_upload(const std::string& bucket, const std::string& key,
                                                     const std::string& upload_id) {
  return with_retries({"DELETE", bucket, key, false},
                      [&] { return inner_->abort_multipart_upload(bucket, key, upload_id); });
}

S3Result<s3::PartsPage> RetryingObjectStore::list_parts(const std::string& bucket, const std::string& key,
                                                        const std::string& upload_id, int marker) {
  return with_retries({"GET", bucket, key}, [&] { return inner_->list_parts(bucket, key, upload_id, marker); });
}

S3Result<std::optional<std::string>> RetryingObjectStore::bucket_encryption(const std::string& bucket) {
  return with_retries({"GET", bucket, ""}, [&] { return inner_->bucket_encryption(bucket); });
}

S3Status RetryingObjectStore::restore_object(const std::string& bucket, const std::string& key, int days,
                                             const std::string& tier) {
  return with_retries({"POST", bucket, key}, [&] { return inner_->restore_object(bucket, key, days, tier); });
}

S3Result<s3::ObjectsPage> RetryingObjectStore::list_objects(const std::string& bucket, const std::string& prefix,
                                                            const std::string& token) {
  return with_retries({"GET", bucket, prefix}, [&] { return inner_->list_objects(bucket, prefix, token); });
}

S3Result<uint64_t> RetryingObjectStore::get_object(const std::string& bucket, const std::string& key, uint64_t offset,
                                                   uint64_t length, const ByteSink& sink) {
  uint64_t received = 0;
  ByteSink counting = [&](std::span<const std::byte> bytes) {
    received += bytes.size();
    return sink(bytes);
  };
  Operation op{"GET", bucket, key};
  for (int attempt = 1; received < length; ++attempt) {
    auto got = inner_->get_object(bucket, key, offset + received, length - received, counting);
    if (got) break;  // all of it, or the object ended early (the caller compares the count)
    s3::S3Error error = got.error();
    if (!wait_before_retry(op, attempt, error)) return std::unexpected(std::move(error));
  }
  return received;
}

}  // namespace rawbackup
