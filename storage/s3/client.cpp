#include "storage/s3/client.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <charconv>
#include <cstdlib>

#include "common/text.h"
#include "integrity/md5.h"
#include "integrity/sha256.h"

namespace rawbackup::s3 {
namespace {

// S3 refuses requests signed more than 15 minutes off its clock.
constexpr int64_t max_clock_skew_s = 15 * 60;

constexpr const char* empty_sha256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

// Seconds the server's clock is ahead of ours, from the Date header of its reply.
std::optional<int64_t> clock_offset(const HttpResponse& response) {
  auto date = response.header("date");
  std::tm tm{};
  if (!date || !strptime(date->c_str(), "%a, %d %b %Y %H:%M:%S", &tm)) return std::nullopt;
  return static_cast<int64_t>(timegm(&tm)) - static_cast<int64_t>(std::time(nullptr));
}

std::string query_value(const std::string& value) { return uri_encode(value, false); }

S3Error transport_error(const TransportError& e) {
  switch (e.cause) {
    case TransportError::Cause::network: return local_error(S3ErrorOrigin::network, e.message);
    case TransportError::Cause::body_read: return local_error(S3ErrorOrigin::local_read, e.message);
    case TransportError::Cause::sink_refused: return local_error(S3ErrorOrigin::cancelled, e.message);
    case TransportError::Cause::interrupted: return local_error(S3ErrorOrigin::interrupted, e.message);
    case TransportError::Cause::tls_config: return local_error(S3ErrorOrigin::tls_config, e.message);
  }
  return local_error(S3ErrorOrigin::network, e.message);
}

// The region a wrong-region reply names: the x-amz-bucket-region header (301 PermanentRedirect,
// also to HEAD, which has no body) or <Region> in PermanentRedirect / AuthorizationHeaderMalformed.
std::string bucket_region(const HttpResponse& response, const S3Error& error) {
  bool redirect =
      response.status == 301 || error.code == "PermanentRedirect" || error.code == "AuthorizationHeaderMalformed";
  if (!redirect) return "";
  if (auto header = response.header("x-amz-bucket-region")) return *header;
  return error.region;
}

// An error reply to HEAD has no body: name the error by its status.
S3Error head_error(int status) {
  S3Error e{status, "", "", ""};
  if (status == 403) e.code = "AccessDenied";
  if (status == 404) e.code = "NotFound";
  e.message = "HTTP " + std::to_string(status) + " to HEAD";
  return e;
}

std::string etag_header(const HttpResponse& response) { return unquoted(response.header("etag").value_or("")); }

// A 200 reply that is not what the request asks for: not retried (the same request gets the
// same reply), except CompleteMultipartUpload's error-in-200, which S3 says to retry.
S3Error reply_error(const Error& e) { return {200, "InvalidReply", e.message, ""}; }

}  // namespace

S3Client::S3Client(S3ClientOptions options, HttpConnector connect)
    : options_(std::move(options)), connect_(std::move(connect)) {}

std::unique_ptr<HttpClient> S3Client::take_connection() {
  {
    std::lock_guard lock(pool_mutex_);
    if (!idle_.empty()) {
      auto connection = std::move(idle_.back());
      idle_.pop_back();
      return connection;
    }
  }
  return connect_();
}

void S3Client::give_back(std::unique_ptr<HttpClient> connection) {
  std::lock_guard lock(pool_mutex_);
  idle_.push_back(std::move(connection));
}

const ObjectHeaders& S3Client::objects_for(const std::string& bucket) const {
  auto it = options_.bucket_objects.find(bucket);
  return it == options_.bucket_objects.end() ? options_.objects : it->second;
}

void S3Client::check_encryption_applied(const std::string& bucket, const HttpResponse& reply) {
  const ObjectHeaders& objects = objects_for(bucket);
  auto asked = std::find_if(objects.on_create.begin(), objects.on_create.end(),
                            [](const auto& h) { return h.first == "x-amz-server-side-encryption"; });
  bool asked_any = asked != objects.on_create.end() || !objects.customer_key.empty();
  if (!asked_any || !reply_encryption(reply).empty() || warned_unencrypted_.exchange(true)) return;
  spdlog::warn("{} stores objects in bucket {} without the encryption asked for ({}): it does not apply it "
               "(Ceph before 17 ignores SSE-S3); the bytes are stored unencrypted",
               endpoint(), bucket, asked != objects.on_create.end() ? asked->second : "SSE-C");
}

std::string S3Client::endpoint() const {
  return options_.endpoint.scheme + "://" + options_.endpoint.host + options_.endpoint.base_path;
}

S3Result<HttpRequest> S3Client::build(const Call& call) const {
  auto credentials = options_.credentials->get();
  if (!credentials) return std::unexpected(local_error(S3ErrorOrigin::credentials, credentials.error().message));
  const S3Endpoint& ep = options_.endpoint;
  std::string host = ep.path_style || call.bucket.empty() ? ep.host : call.bucket + "." + ep.host;
  std::string path = ep.base_path + "/";
  if (ep.path_style && !call.bucket.empty()) path += call.bucket + (call.key.empty() ? "" : "/");
  path += uri_encode(call.key, true);
  std::string amz_date = amz_date_at(std::time(nullptr) + clock_offset_s_.load());
  Headers headers{{"host", host},
                  {"x-amz-content-sha256", call.body ? "UNSIGNED-PAYLOAD" : empty_sha256},
                  {"x-amz-date", amz_date}};
  if (call.body && !call.body->md5_hex.empty()) headers.emplace_back("content-md5", hex_to_base64(call.body->md5_hex));
  if (!credentials->session_token.empty()) headers.emplace_back("x-amz-security-token", credentials->session_token);
  headers.insert(headers.end(), call.headers.begin(), call.headers.end());
  SigningRequest signing{call.method, path, call.query, headers, headers[1].second};
  Signature signature = sign_v4(signing, *credentials, {options_.region, "s3", amz_date}, false);
  headers.emplace_back("Authorization", signature.authorization);
  HttpRequest request;
  request.method = call.method;
  request.url = ep.scheme + "://" + host + path + (call.query.empty() ? "" : "?" + call.query);
  request.headers = std::move(headers);
  request.body = call.body;
  request.sink = call.sink;
  request.interruptible = call.interruptible;
  return request;
}

// Temporary credentials that expired before their time (revoked, or a clock off): fetched
// again and the request sent once more. A refusal that taught the clock skew: sent once more,
// signed with the server's time.
S3Result<HttpResponse> S3Client::send(const Call& call) {
  int64_t offset_before = clock_offset_s_.load();
  auto response = send_signed(call);
  if (!response && (response.error().code == "ExpiredToken" || response.error().code == "TokenRefreshRequired")) {
    spdlog::info("S3 credentials from {} expired; fetching them again", options_.credentials->provider_name());
    options_.credentials->invalidate();
    response = send_signed(call);
  }
  // A skew just learned from the refusal: the same request again, signed with the server's time.
  if (!response && response.error().code == "RequestTimeTooSkewed" && clock_offset_s_.load() != offset_before) {
    response = send_signed(call);
  }
  return response;
}

S3Result<HttpResponse> S3Client::send_signed(const Call& call) {
  TRY_ASSIGN(request, build(call));  // signed now, just before sending
  auto started = std::chrono::steady_clock::now();
  auto connection = take_connection();
  auto response = connection->send(request);
  give_back(std::move(connection));
  double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
  if (!response) {
    spdlog::debug("S3 {} /{}/{}: no reply after {:.0f} ms: {}", call.method, call.bucket, call.key, ms,
                  response.error().message);
    return std::unexpected(transport_error(response.error()));
  }
  spdlog::debug("S3 {} /{}/{}{}{}: HTTP {} in {:.0f} ms", call.method, call.bucket, call.key,
                call.query.empty() ? "" : "?", call.query, response->status, ms);
  if (response->status < 300 && call.error_in_200) {
    if (auto etag = parse_complete_etag(response->body); !etag) {
      return std::unexpected(S3Error{200, "InternalError", etag.error().message, ""});
    }
  }
  if (response->status < 300) return std::move(*response);
  S3Error error =
      call.method == "HEAD" ? head_error(response->status) : parse_error_reply(response->status, response->body);
  if (auto region = bucket_region(*response, error); !region.empty() && region != options_.region) {
    // A bucket in another region: a config problem, not retried against that region.
    error.code = "WrongRegion";
    error.message = "bucket " + call.bucket + " is in region " + region + ", not " + options_.region +
                    ": set backup.s3.region (or AWS_REGION) to " + region;
  }
  // A refusal from a server whose Date is further off than S3 allows (15 min): the clock
  // skew, also for a HEAD, whose 403 has no body to name it.
  auto offset = clock_offset(*response);
  bool skewed = offset && std::llabs(*offset - clock_offset_s_.load()) > max_clock_skew_s;
  if (error.code == "RequestTimeTooSkewed" || (response->status == 403 && skewed)) {
    if (offset) {
      clock_offset_s_ = *offset;  // sign the re-sent request (and what follows) with the server's time
      spdlog::warn("this machine's clock is {} s off the server's; signing with the server's time", -*offset);
    }
    if (skewed) error.code = "RequestTimeTooSkewed";
  }
  return std::unexpected(error);
}

// ListBuckets, sent once: any reply carries the server's Date, and its error code tells a
// signature the server refuses (wrong keys) from a policy that denies listing.
S3Result<EndpointProbe> S3Client::probe_endpoint() {
  TRY_ASSIGN(request, build({.method = "GET"}));
  auto connection = take_connection();
  auto response = connection->send(request);
  give_back(std::move(connection));
  if (!response) return std::unexpected(transport_error(response.error()));
  EndpointProbe probe{response->status, clock_offset(*response), std::nullopt};
  if (response->status >= 300) probe.refused = parse_error_reply(response->status, response->body);
  return probe;
}

S3Status S3Client::create_bucket(const std::string& bucket) {
  std::string config;
  if (options_.region != "us-east-1") {
    config = "<CreateBucketConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><LocationConstraint>" +
             options_.region + "</LocationConstraint></CreateBucketConfiguration>";
  }
  Body body = text_body(config);
  auto response = send({.method = "PUT", .bucket = bucket, .body = config.empty() ? nullptr : &body});
  if (!response && response.error().code != "BucketAlreadyOwnedByYou") return std::unexpected(response.error());
  return {};
}

S3Status S3Client::head_bucket(const std::string& bucket) {
  auto response = send({.method = "HEAD", .bucket = bucket});
  if (response) return {};
  S3Error error = response.error();
  if (error.http_status == 404) error.code = "NoSuchBucket";
  if (error.http_status == 400 || error.http_status == 403) {
    // HEAD replies carry no body; a listing of nothing tells why (a wrong secret, a bad key…).
    auto probe = send({.method = "GET", .bucket = bucket, .query = "list-type=2&max-keys=0"});
    if (!probe && probe.error().http_status == error.http_status) error = probe.error();
  }
  return std::unexpected(error);
}

S3Result<std::optional<ObjectInfo>> S3Client::head_object(const std::string& bucket, const std::string& key) {
  auto response = send({.method = "HEAD", .bucket = bucket, .key = key, .headers = objects_for(bucket).customer_key});
  if (!response) {
    if (response.error().http_status == 404) return std::optional<ObjectInfo>{};
    return std::unexpected(response.error());
  }
  ObjectInfo info;
  std::string length = response->header("content-length").value_or("");
  auto [end, error] = std::from_chars(length.data(), length.data() + length.size(), info.size);
  if (length.empty() || error != std::errc{} || end != length.data() + length.size()) {
    return std::unexpected(reply_error(Error{ErrorKind::failed, "unexpected S3 reply: HEAD without a Content-Length"}));
  }
  info.etag = etag_header(*response);
  info.encryption = reply_encryption(*response);
  info.storage_class = response->header("x-amz-storage-class").value_or("");
  info.restore = response->header("x-amz-restore").value_or("");
  return info;
}

S3Result<WriteReply> S3Client::put_object(const std::string& bucket, const std::string& key, const Body& body) {
  const ObjectHeaders& objects = objects_for(bucket);
  Headers headers = objects.on_create;
  headers.insert(headers.end(), objects.customer_key.begin(), objects.customer_key.end());
  TRY_ASSIGN(response, send({.method = "PUT", .bucket = bucket, .key = key, .headers = headers, .body = &body}));
  check_encryption_applied(bucket, response);
  return WriteReply{etag_header(response), reply_encryption(response)};
}

S3Result<std::string> S3Client::create_multipart_upload(const std::string& bucket, const std::string& key) {
  const ObjectHeaders& objects = objects_for(bucket);
  Headers headers = objects.on_create;
  headers.insert(headers.end(), objects.customer_key.begin(), objects.customer_key.end());
  TRY_ASSIGN(response, send({.method = "POST", .bucket = bucket, .key = key, .query = "uploads=", .headers = headers}));
  check_encryption_applied(bucket, response);
  auto id = parse_upload_id(response.body);
  if (!id) return std::unexpected(reply_error(id.error()));
  return *id;
}

S3Result<WriteReply> S3Client::upload_part(const std::string& bucket, const std::string& key,
                                            const std::string& upload_id, int part_number, const Body& body) {
  std::string query = "partNumber=" + std::to_string(part_number) + "&uploadId=" + query_value(upload_id);
  TRY_ASSIGN(response, send({.method = "PUT",
                             .bucket = bucket,
                             .key = key,
                             .query = query,
                             .headers = objects_for(bucket).customer_key,
                             .body = &body}));
  return WriteReply{etag_header(response), reply_encryption(response)};
}

S3Result<std::string> S3Client::complete_multipart_upload(const std::string& bucket, const std::string& key,
                                                          const std::string& upload_id,
                                                          const std::vector<UploadedPart>& parts) {
  Body body = text_body(complete_request_body(parts));
  TRY_ASSIGN(response, send({.method = "POST",
                             .bucket = bucket,
                             .key = key,
                             .query = "uploadId=" + query_value(upload_id),
                             .body = &body,
                             .error_in_200 = true}));
  auto etag = parse_complete_etag(response.body);
  if (!etag) return std::unexpected(reply_error(etag.error()));
  return *etag;
}

S3Status S3Client::delete_object(const std::string& bucket, const std::string& key) {
  // Not interruptible: it removes an object found wrong, which must not stay after SIGTERM.
  auto response = send({.method = "DELETE", .bucket = bucket, .key = key, .interruptible = false});
  if (!response && response.error().http_status != 404) return std::unexpected(response.error());
  return {};
}

S3Status S3Client::abort_multipart_upload(const std::string& bucket, const std::string& key,
                                          const std::string& upload_id) {
  TRY(send({.method = "DELETE",
            .bucket = bucket,
            .key = key,
            .query = "uploadId=" + query_value(upload_id),
            .interruptible = false}));
  return {};
}

S3Result<PartsPage> S3Client::list_parts(const std::string& bucket, const std::string& key,
                                         const std::string& upload_id, int marker) {
  std::string query = marker > 0 ? "part-number-marker=" + std::to_string(marker) + "&" : "";
  query += "uploadId=" + query_value(upload_id);
  TRY_ASSIGN(response, send({.method = "GET", .bucket = bucket, .key = key, .query = query}));
  auto page = parse_parts_page(response.body);
  if (!page) return std::unexpected(reply_error(page.error()));
  return *page;
}

S3Result<std::optional<std::string>> S3Client::bucket_encryption(const std::string& bucket) {
  auto response = send({.method = "GET", .bucket = bucket, .query = "encryption="});
  if (!response && response.error().code == "ServerSideEncryptionConfigurationNotFoundError") {
    return std::optional<std::string>{};
  }
  if (!response) return std::unexpected(response.error());
  auto algorithm = parse_bucket_encryption(response->body);
  if (!algorithm) return std::unexpected(reply_error(algorithm.error()));
  return std::optional(*algorithm);
}

S3Status S3Client::restore_object(const std::string& bucket, const std::string& key, int days,
                                  const std::string& tier) {
  Body body = text_body(restore_request_body(days, tier));
  auto response = send({.method = "POST", .bucket = bucket, .key = key, .query = "restore=", .body = &body});
  if (!response && response.error().code != "RestoreAlreadyInProgress") return std::unexpected(response.error());
  return {};
}

S3Result<ObjectsPage> S3Client::list_objects(const std::string& bucket, const std::string& prefix,
                                             const std::string& token) {
  std::string query = token.empty() ? "" : "continuation-token=" + query_value(token) + "&";
  query += "list-type=2&prefix=" + query_value(prefix);
  TRY_ASSIGN(response, send({.method = "GET", .bucket = bucket, .query = query}));
  auto page = parse_objects_page(response.body);
  if (!page) return std::unexpected(reply_error(page.error()));
  return *page;
}

S3Result<uint64_t> S3Client::get_object(const std::string& bucket, const std::string& key, uint64_t offset,
                                        uint64_t length, const ByteSink& sink) {
  uint64_t received = 0;
  ByteSink counting = [&](std::span<const std::byte> bytes) {
    received += bytes.size();
    return sink(bytes);
  };
  if (length == 0) return 0;
  std::string range = "bytes=" + std::to_string(offset) + "-" + std::to_string(offset + length - 1);
  Headers headers = objects_for(bucket).customer_key;
  headers.emplace_back("range", range);
  TRY(send({.method = "GET", .bucket = bucket, .key = key, .headers = headers, .sink = &counting}));
  return received;
}

}  // namespace rawbackup::s3
