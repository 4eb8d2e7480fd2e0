// The S3 client: ObjectStore over HTTP, every request signed (SigV4) just before it is sent,
// and sent once: retries are RetryingObjectStore's (storage/retrying_object_store.h), which
// connect_s3 wraps around it. A RequestTimeTooSkewed reply teaches it the server's clock, so
// the retry is signed with the server's time.
// Thread-safe: concurrent calls each take a connection from a pool (opening one when none is
// idle); connections are kept alive for the next call.
#pragma once
#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "config/config.h"
#include "storage/object_store.h"
#include "storage/s3/credentials.h"
#include "storage/s3/http.h"
#include "storage/s3/object_headers.h"
#include "storage/s3/sigv4.h"

namespace rawbackup::s3 {

struct S3Endpoint {
  std::string scheme;      // "http" or "https"
  std::string host;        // as in the Host header: "127.0.0.1:8000", "s3.eu-west-1.amazonaws.com"
  std::string base_path;   // "" or the endpoint URL's path without a trailing '/': "/s3"
  bool path_style = true;  // custom endpoints: /bucket/key; AWS: bucket.host/key
};

// `url` "" → AWS in `region` (virtual-hosted); otherwise that endpoint, path-style. As the
// SDKs read it: the scheme and host in any case (kept in lower case), and a path (a gateway
// serving S3 under a prefix) put before every request's path and signed with it.
// Throws UsageError for a URL that is not http(s)://host[:port][/path] (no query, no "."/".."
// segments).
S3Endpoint parse_endpoint(const std::string& url, const std::string& region);

struct S3ClientOptions {
  S3Endpoint endpoint;
  std::string region;
  std::shared_ptr<RefreshingCredentials> credentials;  // shared by every request, refreshed
  ObjectHeaders objects{};                             // encryption and storage class of objects
  std::map<std::string, ObjectHeaders> bucket_objects{};  // per bucket (a project's), else `objects`
};

using HttpConnector = std::function<std::unique_ptr<HttpClient>()>;

class S3Client final : public ObjectStore {
 public:
  S3Client(S3ClientOptions options, HttpConnector connect);

  std::string endpoint() const override;
  std::string region() const override { return options_.region; }
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
                                                  const std::vector<UploadedPart>& parts) override;
  S3Status delete_object(const std::string& bucket, const std::string& key) override;
  S3Status abort_multipart_upload(const std::string& bucket, const std::string& key,
                                  const std::string& upload_id) override;
  S3Result<PartsPage> list_parts(const std::string& bucket, const std::string& key, const std::string& upload_id,
                                 int marker) override;
  S3Result<std::optional<std::string>> bucket_encryption(const std::string& bucket) override;
  S3Status restore_object(const std::string& bucket, const std::string& key, int days,
                          const std::string& tier) override;
  S3Result<ObjectsPage> list_objects(const std::string& bucket, const std::string& prefix,
                                     const std::string& token) override;
  S3Result<uint64_t> get_object(const std::string& bucket, const std::string& key, uint64_t offset, uint64_t length,
                                const ByteSink& sink) override;

 private:
  struct Call {
    std::string method{};
    std::string bucket{};
    std::string key{};
    std::string query{};  // canonical: sorted, values encoded
    Headers headers{};    // beyond the signed basics (Range, …)
    const Body* body = nullptr;
    const ByteSink* sink = nullptr;
    bool error_in_200 = false;  // a 200 reply may carry <Error> (CompleteMultipartUpload)
    bool interruptible = true;  // false: clean-up (Abort) still goes out after SIGTERM
  };
  // Sends `call` once (once more with fresh credentials after ExpiredToken); no reply, or a
  // reply of 300 or more, is an S3Error.
  S3Result<HttpResponse> send(const Call& call);
  // The signed request for `call` (signed at this moment).
  S3Result<HttpRequest> build(const Call& call) const;
  S3Result<HttpResponse> send_signed(const Call& call);

  const ObjectHeaders& objects_for(const std::string& bucket) const;
  // Warns (once per client) when a reply to a write that asked for encryption says none was
  // applied: a server that ignores the header stores the bytes unencrypted.
  void check_encryption_applied(const std::string& bucket, const HttpResponse& reply);
  std::unique_ptr<HttpClient> take_connection();
  void give_back(std::unique_ptr<HttpClient> connection);

  S3ClientOptions options_;
  std::atomic<int64_t> clock_offset_s_{0};
  std::atomic<bool> warned_unencrypted_{false};  // server clock − ours, learnt from RequestTimeTooSkewed
  HttpConnector connect_;
  std::mutex pool_mutex_;
  std::vector<std::unique_ptr<HttpClient>> idle_;
};

// Where a config's S3 settings come from when the YAML does not set them (the YAML wins):
// region: AWS_REGION, AWS_DEFAULT_REGION, the profile's region; endpoint: AWS_ENDPOINT_URL_S3,
// AWS_ENDPOINT_URL, the profile's services s3 endpoint_url, its endpoint_url; CA bundle:
// AWS_CA_BUNDLE, the profile's ca_bundle; addressing style: the profile's s3.addressing_style.
// Throws UsageError when no region is found or a setting is invalid.
struct S3Settings {
  std::string region;
  std::string endpoint_url;
  std::string ca_bundle;
  std::string addressing_style = "auto";  // auto (AWS: virtual-hosted; custom: path), path, virtual
};
S3Settings resolve_s3_settings(const S3Config& config, const AwsProfile& profile);

// The client for a config's s3 section, with retries (RetryingObjectStore): settings as
// resolve_s3_settings says, credentials from the chain (storage/s3/credentials.h) for the
// profile (backup.s3.profile / --profile, else AWS_PROFILE, else default). Throws UsageError
// (one line, naming what was tried) when no credentials are configured; no request is made
// here.
std::unique_ptr<ObjectStore> connect_s3(const S3Config& config);
// The same, also saying where the credentials come from (doctor).
ConnectedObjectStore connect_s3_described(const S3Config& config);

}  // namespace rawbackup::s3
