// Every request that changes what a bucket holds (PUT, multipart start/part/Complete/Abort,
// DELETE) goes only while this run still holds the record's lease: `fence` is asked right
// before each is sent, and a refusal is an S3Error of origin `fenced` (not transient, never
// retried). Reads pass straight through. So a run paused past its lease, whose record another
// run took over, cannot PUT old bytes over the new object, Complete or Abort the other's
// upload, or DELETE its object.
#pragma once
#include <functional>

#include "storage/object_store.h"

namespace rawbackup {

class FencedObjectStore final : public ObjectStore {
 public:
  // `inner` is asked for the store at each request (a lazily connected one stays lazy).
  FencedObjectStore(std::function<ObjectStore&()> inner, std::function<Status()> fence)
      : inner_(std::move(inner)), fence_(std::move(fence)) {}

  std::string endpoint() const override { return inner_().endpoint(); }
  std::string region() const override { return inner_().region(); }
  S3Result<EndpointProbe> probe_endpoint() override { return inner_().probe_endpoint(); }
  S3Status create_bucket(const std::string& bucket) override;
  S3Status head_bucket(const std::string& bucket) override { return inner_().head_bucket(bucket); }
  S3Result<std::optional<ObjectInfo>> head_object(const std::string& bucket, const std::string& key) override {
    return inner_().head_object(bucket, key);
  }
  S3Result<WriteReply> put_object(const std::string& bucket, const std::string& key, const Body& body) override;
  S3Result<std::string> create_multipart_upload(const std::string& bucket, const std::string& key) override;
  S3Result<WriteReply> upload_part(const std::string& bucket, const std::string& key, const std::string& upload_id,
                                    int part_number, const Body& body) override;
  S3Result<std::string> complete_multipart_upload(const std::string& bucket, const std::string& key,
                                                  const std::string& upload_id,
                                                  const std::vector<s3::UploadedPart>& parts) override;
  S3Status delete_object(const std::string& bucket, const std::string& key) override;
  S3Status abort_multipart_upload(const std::string& bucket, const std::string& key,
                                  const std::string& upload_id) override;
  S3Result<s3::PartsPage> list_parts(const std::string& bucket, const std::string& key, const std::string& upload_id,
                                     int marker) override {
    return inner_().list_parts(bucket, key, upload_id, marker);
  }
  S3Result<std::optional<std::string>> bucket_encryption(const std::string& bucket) override {
    return inner_().bucket_encryption(bucket);
  }
  S3Status restore_object(const std::string& bucket, const std::string& key, int days,
                          const std::string& tier) override;
  S3Result<s3::ObjectsPage> list_objects(const std::string& bucket, const std::string& prefix,
                                         const std::string& token) override {
    return inner_().list_objects(bucket, prefix, token);
  }
  S3Result<uint64_t> get_object(const std::string& bucket, const std::string& key, uint64_t offset, uint64_t length,
                                const ByteSink& sink) override {
    return inner_().get_object(bucket, key, offset, length, sink);
  }

 private:
  // The fence's refusal as an S3 error; nullopt while the lease holds.
  std::optional<s3::S3Error> refused() const;

  std::function<ObjectStore&()> inner_;
  std::function<Status()> fence_;
};

}  // namespace rawbackup
