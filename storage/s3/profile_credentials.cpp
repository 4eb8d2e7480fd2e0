#include "storage/s3/profile_credentials.h"

#include <algorithm>
#include <charconv>

#include "common/system.h"
#include "integrity/sha256.h"
#include "storage/s3/platform_credentials.h"

namespace rawbackup::s3 {
namespace {

// Assumes the role with the source's credentials, kept fresh on their own (a credential_process
// or another role hands out temporary ones too).
class AssumeRole final : public CredentialsProvider {
 public:
  AssumeRole(std::string profile, std::unique_ptr<CredentialsProvider> source, RoleRequest role, std::string sts,
             std::string region, HttpConnect connect)
      : profile_(std::move(profile)),
        source_(std::move(source)),
        role_(std::move(role)),
        sts_(std::move(sts)),
        region_(std::move(region)),
        connect_(std::move(connect)) {}

  std::string name() const override {
    return "profile " + profile_ + " (role " + role_.role_arn + ", as " + source_.provider_name() + ")";
  }

  Result<TimedCredentials> fetch() override {
    std::string what = "assume role " + role_.role_arn;
    auto source = source_.get();
    if (!source) return fail(what + ": " + source.error().message);
    StsCall call = assume_role_call(role_, *source, sts_, region_, std::time(nullptr));
    Body body = text_body(call.form);
    auto response = provider_call(connect_, "POST", call.url, call.headers, what, &body);
    if (!response) {
      source_.invalidate();  // the source's token may have expired meanwhile: ask for it again next time
      return std::unexpected(response.error());
    }
    auto parsed = parse_sts_reply(response->body);
    if (!parsed) return fail(what + ": " + parsed.error().message);
    return parsed;
  }

 private:
  std::string profile_;
  RefreshingCredentials source_;
  RoleRequest role_;
  std::string sts_, region_;
  HttpConnect connect_;
};

std::string path_of(const std::string& url) {
  size_t start = url.find("://");
  size_t slash = url.find('/', start == std::string::npos ? 0 : start + 3);
  return slash == std::string::npos ? "/" : url.substr(slash);
}

// Follows a profile's role to its source, remembering the profiles on the way (loops).
class Resolver {
 public:
  explicit Resolver(const ChainContext& context) : context_(context) {}

  Result<std::unique_ptr<CredentialsProvider>> of(const AwsProfile& profile) {
    chain_.push_back(profile.name);
    if (auto role = profile.settings.get("role_arn"); role && !role->empty()) return role_of(profile, *role);
    return keys_of(profile);
  }

 private:
  static Error refused(const AwsProfile& profile, const std::string& why) {
    return Error{ErrorKind::usage, "profile " + profile.name + ": " + why};
  }

  // Static keys, else credential_process, else nullptr.
  static std::unique_ptr<CredentialsProvider> keys_of(const AwsProfile& profile) {
    const AwsSettings& s = profile.settings;
    auto key = s.get("aws_access_key_id");
    auto secret = s.get("aws_secret_access_key");
    if (key && secret && !key->empty() && !secret->empty()) {
      Credentials keys{*key, *secret, s.get("aws_session_token").value_or("")};
      return static_credentials(std::move(keys), "profile " + profile.name + " (static keys)");
    }
    if (auto command = s.get("credential_process"); command && !command->empty()) {
      return process_credentials(*command, profile.name);
    }
    return nullptr;
  }

  Result<std::unique_ptr<CredentialsProvider>> role_of(const AwsProfile& profile, const std::string& role_arn) {
    const AwsSettings& s = profile.settings;
    if (s.get("mfa_serial")) {
      return std::unexpected(refused(profile,
                                     "mfa_serial asks for a code typed in, which an unattended task cannot do: "
                                     "use a profile without it"));
    }
    std::string source_profile = s.get("source_profile").value_or("");
    std::string credential_source = s.get("credential_source").value_or("");
    std::string token_file = s.get("web_identity_token_file").value_or("");
    if (!source_profile.empty() + !credential_source.empty() + !token_file.empty() != 1) {
      return std::unexpected(
          refused(profile, "role_arn needs exactly one of source_profile, credential_source, web_identity_token_file"));
    }
    if (!context_.connect) return std::unexpected(refused(profile, "role_arn needs STS, which cannot be reached here"));
    RoleRequest role{role_arn, role_session_name(s.get("role_session_name").value_or("")),
                     s.get("external_id").value_or(""), 0};
    TRY_ASSIGN(duration, duration_of(profile));
    role.duration_seconds = duration;
    std::string sts = sts_endpoint(profile, context_.region);
    if (!token_file.empty()) {
      return web_identity_provider(token_file, role_arn, role.session_name, sts, context_.connect);
    }
    TRY_ASSIGN(source, source_profile.empty() ? platform_source(profile, credential_source)
                                              : profile_source(profile, source_profile));
    return std::make_unique<AssumeRole>(profile.name, std::move(source), std::move(role), sts, context_.region,
                                        context_.connect);
  }

  static Result<int> duration_of(const AwsProfile& profile) {
    auto text = profile.settings.get("duration_seconds");
    if (!text) return 0;
    int seconds = 0;
    auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), seconds);
    if (ec != std::errc{} || end != text->data() + text->size() || seconds < 900 || seconds > 43200) {
      return std::unexpected(refused(profile, "duration_seconds must be a whole number from 900 to 43200"));
    }
    return seconds;
  }

  Result<std::unique_ptr<CredentialsProvider>> profile_source(const AwsProfile& profile, const std::string& name) {
    if (name == profile.name) {  // the SDKs' rule: a profile that is its own source uses its own keys
      auto keys = keys_of(profile);
      if (!keys) return std::unexpected(refused(profile, "it is its own source_profile but has no keys"));
      return keys;
    }
    if (std::ranges::find(chain_, name) != chain_.end()) {
      std::string loop;
      for (const std::string& p : chain_) loop += p + " → ";
      return std::unexpected(refused(profile, "source_profile loops: " + loop + name));
    }
    TRY_ASSIGN(source, load_aws_profile(name));
    if (!source.found) {
      return std::unexpected(refused(profile, "source_profile " + name + " is in neither " + source.credentials_path +
                                                  " nor " + source.config_path));
    }
    TRY_ASSIGN(provider, of(source));
    if (!provider) {
      return std::unexpected(
          refused(profile, "source_profile " + name + " has no credentials (keys, credential_process or role_arn)"));
    }
    return provider;
  }

  Result<std::unique_ptr<CredentialsProvider>> platform_source(const AwsProfile& profile, const std::string& name) {
    std::unique_ptr<CredentialsProvider> source;
    if (name == "Environment") {
      Credentials env{env_or("AWS_ACCESS_KEY_ID"), env_or("AWS_SECRET_ACCESS_KEY"), env_or("AWS_SESSION_TOKEN")};
      if (!env.access_key_id.empty() && !env.secret_access_key.empty()) {
        source = static_credentials(std::move(env), "environment");
      }
    } else if (name == "EcsContainer") {
      source = container_credentials(context_.connect);
    } else if (name == "Ec2InstanceMetadata") {
      source = instance_credentials(context_.connect);
    } else {
      return std::unexpected(refused(
          profile, "credential_source must be Environment, EcsContainer or Ec2InstanceMetadata, not '" + name + "'"));
    }
    if (!source) return std::unexpected(refused(profile, "credential_source " + name + " is not set up on this host"));
    return source;
  }

  const ChainContext& context_;
  std::vector<std::string> chain_;
};

}  // namespace

StsCall assume_role_call(const RoleRequest& role, const Credentials& source, const std::string& sts,
                         const std::string& region, std::time_t now) {
  StsCall call;
  call.url = sts + "/";
  call.form = "Action=AssumeRole&Version=2011-06-15&RoleArn=" + uri_encode(role.role_arn, false) +
              "&RoleSessionName=" + uri_encode(role.session_name, false);
  if (!role.external_id.empty()) call.form += "&ExternalId=" + uri_encode(role.external_id, false);
  if (role.duration_seconds > 0) call.form += "&DurationSeconds=" + std::to_string(role.duration_seconds);
  std::string amz_date = amz_date_at(now);
  call.headers = {{"host", host_of(sts)},
                  {"content-type", "application/x-www-form-urlencoded; charset=utf-8"},
                  {"x-amz-date", amz_date}};
  if (!source.session_token.empty()) call.headers.emplace_back("x-amz-security-token", source.session_token);
  SigningRequest signing{"POST", path_of(call.url), "", call.headers, sha256_hex(call.form)};
  Signature signature = sign_v4(signing, source, {region, "sts", amz_date}, true);
  call.headers.emplace_back("Authorization", signature.authorization);
  return call;
}

Result<std::unique_ptr<CredentialsProvider>> profile_credentials(const AwsProfile& profile,
                                                                 const ChainContext& context) {
  return Resolver(context).of(profile);
}

}  // namespace rawbackup::s3
