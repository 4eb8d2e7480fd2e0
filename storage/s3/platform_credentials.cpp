#include "storage/s3/platform_credentials.h"

#include <pugixml.hpp>

#include <algorithm>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "common/system.h"
#include "common/text.h"
#include "storage/s3/sigv4.h"

namespace rawbackup::s3 {
namespace {

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  std::string s = text.str();
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) s.pop_back();
  return s;
}

class WebIdentity final : public CredentialsProvider {
 public:
  WebIdentity(std::string token_file, std::string role, std::string session, std::string endpoint, HttpConnect connect)
      : token_file_(std::move(token_file)),
        role_(std::move(role)),
        session_(std::move(session)),
        endpoint_(std::move(endpoint)),
        connect_(std::move(connect)) {}
  std::string name() const override { return "web identity (" + role_ + ", token " + token_file_ + ")"; }
  Result<TimedCredentials> fetch() override {
    std::string token = read_file(token_file_);  // read each time: the platform rotates it
    if (token.empty()) return fail("web identity: no token in " + token_file_);
    std::string form = "Action=AssumeRoleWithWebIdentity&Version=2011-06-15&RoleArn=" + uri_encode(role_, false) +
                       "&RoleSessionName=" + uri_encode(session_, false) +
                       "&WebIdentityToken=" + uri_encode(token, false);
    Body body = text_body(form);
    TRY_ASSIGN(response, provider_call(connect_, "POST", endpoint_ + "/",
                                       {{"content-type", "application/x-www-form-urlencoded"}}, "web identity", &body));
    auto parsed = parse_sts_reply(response.body);
    if (!parsed) return fail("web identity: " + parsed.error().message);
    return parsed;
  }

 private:
  std::string token_file_, role_, session_, endpoint_;
  HttpConnect connect_;
};

class Container final : public CredentialsProvider {
 public:
  Container(std::string url, HttpConnect connect) : url_(std::move(url)), connect_(std::move(connect)) {}
  std::string name() const override { return "container credentials (" + url_ + ")"; }
  Result<TimedCredentials> fetch() override {
    std::string token = env_or("AWS_CONTAINER_AUTHORIZATION_TOKEN");
    if (std::string file = env_or("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"); !file.empty()) token = read_file(file);
    Headers headers;
    if (!token.empty()) headers.emplace_back("Authorization", token);
    TRY_ASSIGN(response, provider_call(connect_, "GET", url_, headers, "container credentials"));
    auto parsed = parse_platform_json(response.body);
    if (!parsed) return fail("container credentials: " + parsed.error().message);
    return parsed;
  }

 private:
  std::string url_;
  HttpConnect connect_;
};

class Instance final : public CredentialsProvider {
 public:
  Instance(std::string endpoint, HttpConnect connect) : endpoint_(std::move(endpoint)), connect_(std::move(connect)) {}
  std::string name() const override { return "EC2 instance metadata (" + endpoint_ + ")"; }
  Result<TimedCredentials> fetch() override {
    TRY_ASSIGN(session, provider_call(connect_, "PUT", endpoint_ + "/latest/api/token",
                                      {{"x-aws-ec2-metadata-token-ttl-seconds", "21600"}}, "instance metadata"));
    Headers token{{"x-aws-ec2-metadata-token", session.body}};
    std::string base = endpoint_ + "/latest/meta-data/iam/security-credentials/";
    TRY_ASSIGN(roles, provider_call(connect_, "GET", base, token, "instance metadata"));
    std::string role = roles.body.substr(0, roles.body.find('\n'));
    if (role.empty()) return fail("instance metadata: the instance has no IAM role");
    TRY_ASSIGN(response, provider_call(connect_, "GET", base + role, token, "instance metadata"));
    auto parsed = parse_platform_json(response.body);
    if (!parsed) return fail("instance metadata: " + parsed.error().message);
    return parsed;
  }

 private:
  std::string endpoint_;
  HttpConnect connect_;
};

}  // namespace

std::string host_of(const std::string& url) {
  size_t start = url.find("://");
  start = start == std::string::npos ? 0 : start + 3;
  return url.substr(start, url.find('/', start) - start);
}

Result<HttpResponse> provider_call(const HttpConnect& connect, const std::string& method, const std::string& url,
                                   Headers headers, const std::string& what, const Body* body) {
  bool has_host = std::ranges::any_of(headers, [](const auto& h) { return h.first == "host"; });
  if (!has_host) headers.insert(headers.begin(), {"host", host_of(url)});
  HttpRequest request{method, url, std::move(headers), body, nullptr, true};
  auto response = connect()->send(request);
  if (!response) return fail(what + ": no reply from " + url + " (" + response.error().message + ")");
  if (response->status < 300) return std::move(*response);
  std::string error = "HTTP " + std::to_string(response->status) + " from " + url;
  // STS names its refusal (<ErrorResponse><Error><Code>); the code holds no secret.
  pugi::xml_document doc;
  if (doc.load_buffer(response->body.data(), response->body.size())) {
    if (std::string code = doc.select_node("//Error/Code").node().child_value(); !code.empty()) {
      error += " (" + code + ")";
    }
  }
  return fail(what + ": " + error);
}

std::string sts_endpoint(const AwsProfile& profile, const std::string& region) {
  std::string endpoint = env_or("AWS_ENDPOINT_URL_STS");
  if (endpoint.empty()) endpoint = env_or("AWS_ENDPOINT_URL");
  if (endpoint.empty()) endpoint = profile.services.get("sts.endpoint_url").value_or("");
  if (endpoint.empty()) endpoint = profile.settings.get("endpoint_url").value_or("");
  if (endpoint.empty()) endpoint = "https://sts." + region + ".amazonaws.com";
  while (endpoint.ends_with('/')) endpoint.pop_back();
  return endpoint;
}

std::unique_ptr<CredentialsProvider> web_identity_provider(std::string token_file, std::string role,
                                                           std::string session, std::string endpoint,
                                                           HttpConnect connect) {
  return std::make_unique<WebIdentity>(std::move(token_file), std::move(role), std::move(session), std::move(endpoint),
                                       std::move(connect));
}

Result<TimedCredentials> parse_platform_json(const std::string& body) {
  nlohmann::json j = nlohmann::json::parse(body, nullptr, false);
  if (!j.is_object()) return fail("the reply is not a JSON object");
  auto text = [&](const char* key) { return j.contains(key) && j[key].is_string() ? j[key].get<std::string>() : ""; };
  if (std::string code = text("Code"); !code.empty() && code != "Success") return fail("the reply says " + code);
  TimedCredentials out{{text("AccessKeyId"), text("SecretAccessKey"), text("Token")}, std::nullopt};
  if (out.credentials.access_key_id.empty() || out.credentials.secret_access_key.empty()) {
    return fail("the reply lacks AccessKeyId or SecretAccessKey");
  }
  if (std::string expiration = text("Expiration"); !expiration.empty()) {
    out.expiration = parse_aws_time(expiration);
    if (!out.expiration) return fail("the reply's Expiration is not an ISO 8601 UTC time");
  }
  return out;
}

Result<TimedCredentials> parse_sts_reply(const std::string& body) {
  pugi::xml_document doc;
  if (!doc.load_buffer(body.data(), body.size())) return fail("the STS reply is not XML");
  pugi::xml_node credentials = doc.select_node("//Credentials").node();
  if (!credentials) return fail("the STS reply has no Credentials");
  TimedCredentials out{{credentials.child_value("AccessKeyId"), credentials.child_value("SecretAccessKey"),
                        credentials.child_value("SessionToken")},
                       parse_aws_time(credentials.child_value("Expiration"))};
  if (out.credentials.access_key_id.empty() || out.credentials.secret_access_key.empty() || !out.expiration) {
    return fail("the STS reply lacks keys or an Expiration");
  }
  return out;
}

std::unique_ptr<CredentialsProvider> web_identity_credentials(const std::string& sts, HttpConnect connect) {
  std::string token_file = env_or("AWS_WEB_IDENTITY_TOKEN_FILE");
  std::string role = env_or("AWS_ROLE_ARN");
  if (token_file.empty() || role.empty()) return nullptr;
  return web_identity_provider(token_file, role, role_session_name(env_or("AWS_ROLE_SESSION_NAME")), sts,
                               std::move(connect));
}

std::string role_session_name(const std::string& configured) {
  return configured.empty() ? "rawbackup-" + host_id() : configured;
}

std::unique_ptr<CredentialsProvider> container_credentials(HttpConnect connect) {
  std::string url = env_or("AWS_CONTAINER_CREDENTIALS_FULL_URI");
  if (url.empty()) {
    std::string relative = env_or("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI");
    if (relative.empty()) return nullptr;
    url = "http://169.254.170.2" + relative;
  }
  return std::make_unique<Container>(url, std::move(connect));
}

std::unique_ptr<CredentialsProvider> instance_credentials(HttpConnect connect) {
  std::string disabled = env_or("AWS_EC2_METADATA_DISABLED");
  for (char& ch : disabled) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  if (disabled == "true") return nullptr;
  std::string endpoint = env_or("AWS_EC2_METADATA_SERVICE_ENDPOINT", "http://169.254.169.254");
  while (endpoint.ends_with('/')) endpoint.pop_back();
  return std::make_unique<Instance>(endpoint, std::move(connect));
}

HttpConnect platform_http(const std::string& ca_bundle) {
  HttpOptions options;
  options.ca_bundle = ca_bundle;
  options.connect_timeout = std::chrono::seconds(1);
  options.stall_timeout = std::chrono::seconds(5);
  return [options] { return make_curl_client(options); };
}

}  // namespace rawbackup::s3
