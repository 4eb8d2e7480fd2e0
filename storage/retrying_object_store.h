// Retries for any object store, as a wrapper (restic's backend_retry.go): the S3 client makes
// each request once, and this layer retries what can succeed on a second try — transient
// errors (s3::is_transient: 5xx, throttling, timeouts, no reply) — with exponential backoff and
// full jitter. One loop for every operation and every backend, tested against the in-memory
// fake. Permanent errors, local read errors and interruptions return at once.
#pragma once
#include <chrono>
#include <functional>
#include <memory>

#include "storage/object_store.h"

namespace rawbackup {

struct RetryPolicy {
  int max_attempts = 5;  // per operation, first try included
  std::chrono::milliseconds base_delay{200};
  std::chrono::milliseconds max_delay{20000};
};

// Waits `delay`; returns false when SIGINT/SIGTERM came first (only when `interruptible`).
using RetrySleep = std::function<bool(std::chrono::milliseconds delay, bool interruptible)>;
RetrySleep real_sleep();

class RetryingObjectStore final : public ObjectStore {
 public:
  RetryingObjectStore(std::unique_ptr<ObjectStore> inner, RetryPolicy policy, RetrySleep sleep = real_sleep());

  std::string endpoint() const override { return inner_->endpoint(); }
  std::string region() const override { return inner_->region(); }
  S3Result<EndpointProbe> probe_endpoint() override { return inner_->probe_endpoint(); }
  S3Status create_bucket(const std::string& bucket) override;
  S3Status head_bucket(const std::string& bucket) override;
  S3Result<std::optional<ObjectInfo>> head_object(const std::string& bucket, const std::string& key) override;
  S3Result<WriteReply> put_object(const std::string& bucket, const std::string& key, const Body& body) override;
  S3Result<std::string> create_multipart_upload(const std::string& bucket, const std::string& key) override;
  S3Result<WriteReply> upload_part(const std::string& bucket, const std::string& key, const std::string& upload_id,
                                    int part_number, const Body& body) override;
  S3Result<std::string> complete_multipart_upload(const std::string& bucket, const std::string& key,
                                                  const std::string& upload_id,
                                                  const std::vector<s3::UploadedPart>& parts) override;
  // Not interruptible between attempts: clean-up still goes out after SIGTERM.
  S3Status delete_object(const std::string& bucket, const std::string& key) override;
  S3Status abort_multipart_upload(const std::string& bucket, const std::string& key,
                                  const std::string& upload_id) override;
  S3Result<s3::PartsPage> list_parts(const std::string& bucket, const std::string& key, const std::string& upload_id,
                                     int marker) override;
  S3Result<std::optional<std::string>> bucket_encryption(const std::string& bucket) override;
  S3Status restore_object(const std::string& bucket, const std::string& key, int days,
                          const std::string& tier) override;
  S3Result<s3::ObjectsPage> list_objects(const std::string& bucket, const std::string& prefix,
                                         const std::string& token) override;
  // A retry asks only for the bytes not yet delivered to `sink`.
  S3Result<uint64_t> get_object(const std::string& bucket, const std::string& key, uint64_t offset, uint64_t length,
                                const ByteSink& sink) override;

 private:
  struct Operation {
    const char* name;  // for the log line: "PUT", "GET", …
    const std::string& bucket;
    const std::string& key;
    bool interruptible = true;
  };
  template <class Call>
  auto with_retries(const Operation& op, const Call& call) -> decltype(call());
  // After a failed attempt: false when it must not be retried (permanent, the last attempt,
  // or interrupted while waiting — then `error` says so).
  bool wait_before_retry(const Operation& op, int attempt, s3::S3Error& error);

  std::unique_ptr<ObjectStore> inner_;
  RetryPolicy policy_;
  RetrySleep sleep_;
};

}  // namespace rawbackup
