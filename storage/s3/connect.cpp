// From a config's s3 section and the environment to a ready S3 client.
#include <regex>

#include "common/result.h"
#include "common/system.h"
#include "storage/retrying_object_store.h"
#include "storage/s3/client.h"

namespace rawbackup::s3 {
namespace {

Credentials credentials_from_env() {
  Credentials c{env_or("AWS_ACCESS_KEY_ID"), env_or("AWS_SECRET_ACCESS_KEY"), env_or("AWS_SESSION_TOKEN")};
  if (c.access_key_id.empty() || c.secret_access_key.empty()) {
    throw UsageError(
        "backup_type s3 needs credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY"
        " (and AWS_SESSION_TOKEN for temporary ones)");
  }
  return c;
}

}  // namespace

S3Endpoint parse_endpoint(const std::string& url, const std::string& region) {
  if (url.empty()) {
    return {"https", "s3." + region + ".amazonaws.com", false};
  }
  static const std::regex form(R"(^(https?)://([A-Za-z0-9.\-]+|\[[0-9A-Fa-f:]+\])(:[0-9]{1,5})?/?$)");
  std::smatch m;
  if (!std::regex_match(url, m, form)) {
    throw UsageError("S3 endpoint '" + url + "' is not http(s)://host[:port]");
  }
  std::string scheme = m[1];
  std::string port = m[3].matched ? m[3].str().substr(1) : "";
  bool default_port = port.empty() || (scheme == "http" && port == "80") || (scheme == "https" && port == "443");
  return {scheme, m[2].str() + (default_port ? "" : ":" + port), true};
}

std::unique_ptr<ObjectStore> connect_s3(const S3Config& config) {
  S3ClientOptions options;
  options.region = config.region;
  std::string url = config.endpoint_url.value_or(env_or("AWS_ENDPOINT_URL"));
  options.endpoint = parse_endpoint(url, config.region);
  options.credentials = credentials_from_env();
  HttpOptions http;
  http.ca_bundle = env_or("AWS_CA_BUNDLE");
  http.stall_timeout = std::chrono::seconds(config.stall_timeout_seconds);
  auto client = std::make_unique<S3Client>(std::move(options), [http] { return make_curl_client(http); });
  return std::make_unique<RetryingObjectStore>(std::move(client), RetryPolicy{});
}

}  // namespace rawbackup::s3
