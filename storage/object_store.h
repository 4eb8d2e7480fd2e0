// An S3-style object store behind a small interface: the S3 client (storage/s3/client.h)
// implements it over HTTP, tests use an in-memory fake, and one conformance suite
// (tests/storage/object_store_conformance_test.cpp) holds every implementation to the same
// behaviour.
#pragma once
#include <cstdint>
#include <expected>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "storage/filesystem.h"
#include "storage/s3/errors.h"
#include "storage/s3/replies.h"

namespace rawbackup {

template <class T>
using S3Result = std::expected<T, s3::S3Error>;
using S3Status = std::expected<void, s3::S3Error>;

// A request body that can be read again from its start (a retry sends it again).
struct Body {
  uint64_t size = 0;
  std::string md5_hex;  // sent as Content-MD5 so the server checks the bytes; "" for none
  // Fills `out` with the body's bytes from `offset` on; returns how many (0 only at the end).
  std::function<Result<size_t>(uint64_t offset, std::span<std::byte> out)> read_at;
};

// A body held in memory (XML, small objects in tests).
Body text_body(std::string text);
// `length` bytes of a file from `offset`, read only when sent, with `md5_hex` (what checksum
// recorded for them) as Content-MD5: the server checks the bytes against the record.
Result<Body> file_range_body(const FileSystem& fs, const std::filesystem::path& path, uint64_t offset, uint64_t length,
                             std::string md5_hex);
// The same with the MD5 computed now (records without part MD5s): the bytes are read twice.
// Neither form holds the bytes whole in memory.
Result<Body> file_range_body(const FileSystem& fs, const std::filesystem::path& path, uint64_t offset, uint64_t length);
// Hex MD5 of `length` bytes of a file from `offset`; kind interrupted on SIGINT/SIGTERM.
Result<std::string> md5_of_file_range(const FileSystem& fs, const std::filesystem::path& path, uint64_t offset,
                                      uint64_t length);

// How an object is encrypted, as the server says (x-amz-server-side-encryption, or SSE-C's
// customer-algorithm header): "AES256", "aws:kms", "aws:kms:dsse", "SSE-C"; "" when it says none.
// Under SSE-KMS and SSE-C, S3's ETag is not the MD5 of the bytes (opaque).
bool etag_is_md5_under(const std::string& encryption);

struct ObjectInfo {
  uint64_t size = 0;
  std::string etag;  // without quotes; may be a multipart ETag "<hex>-N"
  std::string encryption{};     // as etag_is_md5_under takes it
  std::string storage_class{};  // x-amz-storage-class; "" is STANDARD (S3 leaves it out)
  std::string restore{};        // x-amz-restore of an archived object: 'ongoing-request="true"', …; "" none

  bool etag_is_md5() const { return etag_is_md5_under(encryption); }
};

// What the server answered to a write (PutObject, UploadPart).
struct WriteReply {
  std::string etag;             // without quotes; "" when the reply had none
  std::string encryption{};     // as etag_is_md5_under takes it
  bool etag_is_md5() const { return etag_is_md5_under(encryption); }
};

// What the server said to one signed request for its root (ListBuckets): it answers, its
// clock, and whether it takes our signature (doctor).
struct EndpointProbe {
  int http_status = 0;                    // any reply: the endpoint is reachable
  std::optional<int64_t> clock_offset_s;  // the server's clock − ours (its Date header)
  std::optional<s3::S3Error> refused;     // an error reply: SignatureDoesNotMatch, AccessDenied, …
};

// Receives a GetObject's bytes in order; returning false cancels the transfer.
using ByteSink = std::function<bool(std::span<const std::byte>)>;

// Every call is one S3 operation (with the implementation's retries for transient errors).
// Errors are S3Errors: the HTTP status and S3's code, or status 0 when there was no reply.
// Implementations are thread-safe: calls from several threads run concurrently.
class ObjectStore {
 public:
  virtual ~ObjectStore() = default;

  // Where requests go, for messages ("http://127.0.0.1:8000", "s3.eu-central-1.amazonaws.com").
  virtual std::string endpoint() const = 0;
  virtual std::string region() const = 0;
  // One request, never retried (a check must answer quickly): no reply is an error (status
  // 0); an HTTP error reply is a probe with `refused` set.
  virtual S3Result<EndpointProbe> probe_endpoint() = 0;

  // Creates a bucket in region(); an existing one of ours is fine. Tests and set-up only:
  // the tasks never create buckets (a typo must not make a new one).
  virtual S3Status create_bucket(const std::string& bucket) = 0;
  // Exists and is accessible: NoSuchBucket (404) / AccessDenied (403) otherwise.
  virtual S3Status head_bucket(const std::string& bucket) = 0;
  // nullopt when there is no such object.
  virtual S3Result<std::optional<ObjectInfo>> head_object(const std::string& bucket, const std::string& key) = 0;
  // Returns the ETag the server reports and the encryption it applied.
  virtual S3Result<WriteReply> put_object(const std::string& bucket, const std::string& key, const Body& body) = 0;
  // Returns the upload ID.
  virtual S3Result<std::string> create_multipart_upload(const std::string& bucket, const std::string& key) = 0;
  // Returns the part's ETag and the encryption applied.
  virtual S3Result<WriteReply> upload_part(const std::string& bucket, const std::string& key,
                                            const std::string& upload_id, int part_number, const Body& body) = 0;
  // Returns the ETag in the reply, which may be empty (Ceph 16): HEAD the object for it.
  virtual S3Result<std::string> complete_multipart_upload(const std::string& bucket, const std::string& key,
                                                          const std::string& upload_id,
                                                          const std::vector<s3::UploadedPart>& parts) = 0;
  // Removes the object; one that is not there is fine (S3 answers 204 either way).
  virtual S3Status delete_object(const std::string& bucket, const std::string& key) = 0;
  virtual S3Status abort_multipart_upload(const std::string& bucket, const std::string& key,
                                          const std::string& upload_id) = 0;
  // One page of parts after part number `marker` (0: from the start).
  virtual S3Result<s3::PartsPage> list_parts(const std::string& bucket, const std::string& key,
                                             const std::string& upload_id, int marker) = 0;
  // One page of objects under `prefix`, continuing from `token` ("" for the first page).
  virtual S3Result<s3::ObjectsPage> list_objects(const std::string& bucket, const std::string& prefix,
                                                 const std::string& token) = 0;
  // The bucket's default encryption ("AES256", "aws:kms"); nullopt when it has none
  // (ServerSideEncryptionConfigurationNotFoundError). Servers without it answer an error.
  virtual S3Result<std::optional<std::string>> bucket_encryption(const std::string& bucket) = 0;
  // Asks for a readable copy of an object in an archive storage class (GLACIER, DEEP_ARCHIVE)
  // for `days` days, made at `tier` (Standard, Bulk, Expedited); a request already in progress
  // (RestoreAlreadyInProgress) is fine.
  virtual S3Status restore_object(const std::string& bucket, const std::string& key, int days,
                                  const std::string& tier) = 0;
  // Sends bytes [offset, offset + length) of the object to `sink`; returns how many.
  virtual S3Result<uint64_t> get_object(const std::string& bucket, const std::string& key, uint64_t offset,
                                        uint64_t length, const ByteSink& sink) = 0;
};

// An object store and where its credentials come from ("environment", "profile default
// (static keys)", …: a provider's name, never a value), for doctor.
struct ConnectedObjectStore {
  std::unique_ptr<ObjectStore> store;
  std::string credentials_from;
};

// Every part of an upload, following the pages.
S3Result<std::vector<s3::UploadedPart>> list_all_parts(ObjectStore& store, const std::string& bucket,
                                                       const std::string& key, const std::string& upload_id);

}  // namespace rawbackup
