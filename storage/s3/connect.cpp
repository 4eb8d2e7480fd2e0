// From a config's s3 section and the environment to a ready S3 client.
#include <spdlog/spdlog.h>

#include <regex>

#include "common/result.h"
#include "common/system.h"
#include "common/text.h"
#include "storage/retrying_object_store.h"
#include "storage/s3/client.h"
#include "storage/s3/naming.h"
#include "storage/s3/platform_credentials.h"

namespace rawbackup::s3 {
namespace {

// The first of `values` that is set ("" when none is).
std::string first_of(std::initializer_list<std::string> values) {
  for (const std::string& v : values) {
    if (!v.empty()) return v;
  }
  return "";
}

std::shared_ptr<RefreshingCredentials> credentials_for(const AwsProfile& profile, const S3Settings& settings) {
  auto chosen = choose_credentials(profile, {settings.region, platform_http(settings.ca_bundle)});
  if (!chosen) throw UsageError(chosen.error().message);
  CredentialsChoice& choice = *chosen;
  if (!choice.provider) {
    std::string tried;
    for (const std::string& t : choice.tried) tried += (tried.empty() ? "" : "; ") + t;
    throw UsageError(
        "backup_type s3 needs credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and "
        "AWS_SESSION_TOKEN for temporary ones), or use a profile (--profile, backup.s3.profile, "
        "AWS_PROFILE); tried: " +
        tried);
  }
  spdlog::debug("S3 credentials: {}", choice.provider->name());
  return std::make_shared<RefreshingCredentials>(std::move(choice.provider));
}

}  // namespace

S3Endpoint parse_endpoint(const std::string& url, const std::string& region) {
  if (url.empty()) {
    return {"https", "s3." + region + ".amazonaws.com", "", false};
  }
  static const std::regex form(
      R"(^(https?)://([A-Za-z0-9.\-]+|\[[0-9A-Fa-f:]+\])(:[0-9]{1,5})?((/[A-Za-z0-9\-._~!$&'()*+,;=:@%]*)*)$)",
      std::regex::icase);
  std::smatch m;
  if (!std::regex_match(url, m, form)) {
    throw UsageError("S3 endpoint '" + url + "' is not http(s)://host[:port][/path]");
  }
  std::string scheme = to_lower(m[1]);
  std::string port = m[3].matched ? m[3].str().substr(1) : "";
  bool default_port = port.empty() || (scheme == "http" && port == "80") || (scheme == "https" && port == "443");
  std::string base_path = m[4];
  while (base_path.ends_with('/')) base_path.pop_back();
  for (const std::string segment : {"/./", "/../"}) {
    if ((base_path + "/").find(segment) != std::string::npos) {
      throw UsageError("S3 endpoint '" + url + "': a path with '.' or '..' segments is ambiguous");
    }
  }
  return {scheme, to_lower(m[2]) + (default_port ? "" : ":" + port), base_path, true};
}

S3Settings resolve_s3_settings(const S3Config& config, const AwsProfile& profile) {
  S3Settings out;
  const AwsSettings& p = profile.settings;
  out.region =
      first_of({config.region, env_or("AWS_REGION"), env_or("AWS_DEFAULT_REGION"), p.get("region").value_or("")});
  if (out.region.empty()) {
    throw UsageError("no S3 region: set backup.s3.region, AWS_REGION, or region in profile " + profile.name);
  }
  out.endpoint_url =
      first_of({config.endpoint_url.value_or(""), env_or("AWS_ENDPOINT_URL_S3"), env_or("AWS_ENDPOINT_URL"),
                profile.services.get("s3.endpoint_url").value_or(""), p.get("endpoint_url").value_or("")});
  out.ca_bundle = first_of({env_or("AWS_CA_BUNDLE"), p.get("ca_bundle").value_or("")});
  std::string style = p.get("s3.addressing_style").value_or("auto");
  if (style != "auto" && style != "path" && style != "virtual") {
    throw UsageError("profile " + profile.name + ": s3.addressing_style must be auto, path or virtual, not '" + style +
                     "'");
  }
  out.addressing_style = style;
  return out;
}

std::unique_ptr<ObjectStore> connect_s3(const S3Config& config) { return connect_s3_described(config).store; }

ConnectedObjectStore connect_s3_described(const S3Config& config) {
  auto profile = load_aws_profile(aws_profile_name(config.profile));
  if (!profile) throw UsageError(profile.error().message);
  if (!config.profile.empty() && !profile->found) {
    throw UsageError("profile " + config.profile + " is in neither " + profile->credentials_path + " nor " +
                     profile->config_path);
  }
  S3Settings settings = resolve_s3_settings(config, *profile);
  S3ClientOptions options;
  options.region = settings.region;
  options.endpoint = parse_endpoint(settings.endpoint_url, settings.region);
  if (settings.addressing_style == "path") options.endpoint.path_style = true;
  if (settings.addressing_style == "virtual") options.endpoint.path_style = false;
  options.credentials = credentials_for(*profile, settings);
  options.objects = object_headers(config.objects);
  for (const auto& [project, objects] : config.project_objects) {
    // A project whose bucket name is invalid never gets a request: its upload names the problem.
    if (auto bucket = bucket_name(config.bucket_prefix, project)) options.bucket_objects[*bucket] = object_headers(objects);
  }
  HttpOptions http;
  http.ca_bundle = settings.ca_bundle;
  http.stall_timeout = std::chrono::seconds(config.stall_timeout_seconds);
  std::string credentials_from = options.credentials->provider_name();
  auto client = std::make_unique<S3Client>(std::move(options), [http] { return make_curl_client(http); });
  return {std::make_unique<RetryingObjectStore>(std::move(client), RetryPolicy{}), credentials_from};
}

}  // namespace rawbackup::s3
