// An in-memory S3 for tests: buckets, objects, multipart uploads with S3's ETag rules, and
// scripted faults. Thread-safe. Held to the same conformance suite as the real servers.
#pragma once
#include <atomic>
#include <chrono>
#include <map>
#include <mutex>
#include <set>

#include "storage/object_store.h"

namespace rawbackup::testing {

struct MemoryObjectStoreOptions {
  bool whole_md5_etags = false;         // s3rver's habit: a multipart object's ETag is its MD5
  bool ignore_content_md5 = false;      // s3rver's too: stores bodies that differ from Content-MD5
  uint64_t min_part_size = 5ULL << 20;  // EntityTooSmall below this (all parts but the last)
  int parts_page_size = 1000;
  int objects_page_size = 1000;
  // The encryption every write gets ("aws:kms", "SSE-C": ETags then opaque, as S3 makes them
  // under SSE-KMS and SSE-C; "AES256": MD5 ETags); "" none.
  std::string encryption{};
};

class MemoryObjectStore : public ObjectStore {
 public:
  explicit MemoryObjectStore(MemoryObjectStoreOptions options = {}) : options_(options) {}

  std::string endpoint() const override { return "memory://"; }
  std::string region() const override { return "us-east-1"; }
  // An injected "probe_endpoint" fault with an HTTP status is the server's refusal (the probe
  // answers); one without (status 0) is no reply.
  S3Result<EndpointProbe> probe_endpoint() override;
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
  S3Result<uint64_t> get_object(const std::string& bucket, const std::string& key, uint64_t offset, uint64_t length,
                                const ByteSink& sink) override;

  // --- for tests ---
  // After `after` more calls of `operation` ("put_object", "upload_part", …) succeed, the
  // next `times` fail with `error`.
  void inject(const std::string& operation, s3::S3Error error, int times = 1, int after = 0);
  // Calls made per operation so far.
  int calls(const std::string& operation) const;
  std::optional<std::string> object_data(const std::string& bucket, const std::string& key) const;
  // Stores `data` as the object with the given ETag (default: its MD5), behind the client's back.
  void set_object(const std::string& bucket, const std::string& key, std::string data, std::string etag = "");
  // Moves an object to an archive storage class (GLACIER, DEEP_ARCHIVE): HEAD and listings say
  // so, GET answers InvalidObjectState until a restore request is finished (finish_restores).
  void archive_object(const std::string& bucket, const std::string& key, std::string storage_class);
  // Every restore requested so far is done: those objects are readable (x-amz-restore says so).
  void finish_restores();
  size_t uploads_in_progress() const;
  // Objects stored from now on report this ETag (a store that holds other bytes than sent).
  void force_etag(std::string etag);
  // The next GET whose range holds byte `offset` delivers it flipped (corrupted on the way).
  void corrupt_next_get(uint64_t offset);
  // The server's clock − ours, as probe_endpoint reports it.
  void set_clock_offset(int64_t seconds) { clock_offset_s_ = seconds; }
  // The byte ranges GETs asked for, in order ("offset+length").
  std::vector<std::string> get_ranges() const;
  // Each GET takes this long before its bytes arrive (a server's round trip), so GETs made
  // side by side overlap; most_gets_at_once() is the most that did.
  void set_get_latency(std::chrono::milliseconds latency) { get_latency_ = latency; }
  int most_gets_at_once() const { return most_gets_at_once_; }

 private:
  struct Object {
    std::string data;
    std::string etag;
    std::string storage_class{};
    std::string restore{};  // x-amz-restore
  };
  // The ETag S3 gives `data`: its MD5, or an opaque one under SSE-KMS / SSE-C.
  std::string etag_of(const std::string& data) const;
  struct Upload {
    std::string bucket;
    std::string key;
    std::map<int, Object> parts;
  };

  // Counts the call; the injected fault for it, if any.
  std::optional<s3::S3Error> enter(const std::string& operation);
  S3Result<std::string> read_body(const Body& body) const;
  S3Result<Upload*> find_upload(const std::string& upload_id);

  MemoryObjectStoreOptions options_;
  mutable std::mutex mutex_;
  std::set<std::string> buckets_;
  std::map<std::pair<std::string, std::string>, Object> objects_;
  std::map<std::string, Upload> uploads_;
  std::map<std::string, std::vector<std::optional<s3::S3Error>>> faults_;
  std::map<std::string, int> calls_;
  int next_upload_ = 1;
  std::string forced_etag_;
  std::optional<uint64_t> corrupt_at_;
  int64_t clock_offset_s_ = 0;
  std::vector<std::string> get_ranges_;
  std::chrono::milliseconds get_latency_{0};
  std::atomic<int> gets_in_flight_{0};
  std::atomic<int> most_gets_at_once_{0};
};

}  // namespace rawbackup::testing
